"""The names of the files and folders inside a seeds folder, a kg folder and a cache folder."""

# Inside a seeds folder.
ENTITIES_SUBDIR = "entities"
ARTICLES_SUBDIR = "articles"
ARTICLE_TEXT_FILE = "article.txt"
ARTICLE_META_FILE = "meta.yaml"
ARTICLE_ANNOTATION_FILE = "annotation.yaml"

# Inside a kg folder.
KG_ENTITIES_FILE = "entities.ttl"
KG_ONTOLOGY_FILE = "ontology.ttl"
KG_ARTICLES_SUBDIR = "articles"
KG_DESCRIPTION_FILE = "void.ttl"
# A build stages its new files in KG_STAGING_DIR/GENERATION/ and commits them by writing
# KG_STAGING_DIR/KG_COMMIT_FILE; both exist only while a build publishes (or after it was killed).
KG_STAGING_DIR = ".dipkg-publish"
KG_COMMIT_FILE = "commit.json"

# Inside a cache folder: the build cache, the query store, and what was last loaded into each graph.
STORE_SUBDIR = "store"
LOAD_RECORDS_SUBDIR = "loads"
# ... the site index of each folder `dipkg site` writes, and the site `dipkg serve` serves.
SITE_INDEX_SUBDIR = "site-index"
SERVED_SITE_SUBDIR = "served-site"

# A project's own folder for `dipkg site` (beside seeds/ and kg/).
SITE_SUBDIR = "site"

ONTOLOGY_FILE = "dipkg.ttl"
CODE_LIST_FILES = ("cameo.ttl", "modality.ttl", "plover.ttl")
