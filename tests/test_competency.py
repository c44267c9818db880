"""The article's competency questions, answered by SPARQL over the built knowledge graph."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph

from dipkg.cli import main
from tests.conftest import select

ENT = "https://w3id.org/dipkg/entity/"
CONCEPT = "https://w3id.org/dipkg/concept/"


def test_who_imposed_sanctions_on_22_march_and_on_what_grounds(kg: Graph) -> None:
    actors = select(
        kg,
        """
        SELECT ?actor WHERE {
          ?measure a dip:Sanction ; dip:date "2021-03-22"^^xsd:date ; dip:actor ?actor .
          ?package a dip:SanctionPackage ; dip:subEvent ?measure .
        }""",
    )
    assert actors == [(ENT + x,) for x in ("canada", "european-union", "united-kingdom", "united-states")]
    listed = select(
        kg,
        """
        SELECT ?name WHERE {
          ?package a dip:SanctionPackage ; dip:date "2021-03-22"^^xsd:date ;
                   dip:listedTarget/rdfs:label ?name ; dip:target ent:china .
        }""",
    )
    assert [row[0] for row in listed] == [
        "Chen Mingguo",
        "Wang Junzheng",
        "Wang Mingshan",
        "Xinjiang Production and Construction Corps",
        "Zhu Hailun",
    ]
    grounds = select(
        kg,
        """
        SELECT DISTINCT ?alleged ?topic WHERE {
          ?package a dip:SanctionPackage ; dip:grounds ?claim ; dip:topic ?topic .
          ?claim a dip:Claim ; dip:alleges ?alleged ;
                 dip:claimant ent:united-states, ent:canada, ent:united-kingdom, ent:european-union .
        }""",
    )
    assert grounds == [(CONCEPT + "human-rights-abuses", CONCEPT + "human-rights-in-xinjiang")]


def test_china_responded_with_counter_sanctions_to_the_eu_measure(kg: Graph) -> None:
    rows = select(
        kg,
        """
        SELECT ?groupType ?count ?respondedActor ?respondedDate WHERE {
          ?counter a dip:CounterSanction ; dip:actor ent:china ;
                   dip:listedTarget ?group ; dip:respondsTo ?earlier .
          ?group a ?groupType ; dip:memberCount ?count .
          FILTER (?groupType IN (dip:PersonGroup, dip:OrganizationGroup))
          ?earlier a dip:Sanction ; dip:actor ?respondedActor ; dip:date ?respondedDate .
        }""",
    )
    assert rows == [
        ("https://w3id.org/dipkg/ontology#OrganizationGroup", "4", ENT + "european-union", "2021-03-22"),
        ("https://w3id.org/dipkg/ontology#PersonGroup", "10", ENT + "european-union", "2021-03-22"),
    ]


def test_summoned_ambassadors_by_whom_and_when(kg: Graph) -> None:
    rows = select(
        kg,
        """
        SELECT ?summoner ?ambassador ?date ?latest ?postLabel WHERE {
          ?summons a dip:Summons ; dip:actor/rdfs:label ?summoner ; dip:target ?target .
          OPTIONAL { ?summons dip:date ?date }
          OPTIONAL { ?summons dip:latestDate ?latest }
          ?target rdfs:label ?ambassador .
          ?post a dip:AmbassadorPost ; org:heldBy ?target ; rdfs:label ?postLabel .
        }""",
    )
    assert rows == [
        (
            "Ministry of Foreign Affairs of Italy",
            "Li Junhua",
            "",
            "2021-03-23",
            "Ambassador of China to Italy",
        ),
        (
            "Qin Gang",
            "Caroline Wilson",
            "2021-03-23",
            "",
            "Ambassador of the United Kingdom (posting not stated)",
        ),
        ("Qin Gang", "Nicolas Chapuis", "2021-03-22", "", "Ambassador of the European Union to China"),
    ]


def test_italian_summons_was_made_on_or_before_the_tuesday_announcement(kg: Graph) -> None:
    """'said on Tuesday it had summoned ... to appear on Wednesday': made by Tuesday 23 March at the
    latest, no exact date, and nothing says that Li Junhua appeared on the Wednesday."""
    rows = select(
        kg,
        """
        SELECT ?expression ?latest ?anchorDate WHERE {
          ?summons a dip:Summons ; dip:actor ent:italian-foreign-ministry ;
                   dip:timeExpression ?expression ; dip:latestDate ?latest ; dip:dateAnchor ?anchor .
          ?anchor a dip:Statement ; dip:date ?anchorDate ; dip:concerns ?summons .
          FILTER NOT EXISTS { ?summons dip:date ?any }
        }""",
    )
    assert rows == [("it had summoned", "2021-03-23", "2021-03-23")]
    about_li = select(
        kg,
        """
        SELECT ?event ?date ?when WHERE {
          { ?event dip:target ent:li-junhua } UNION { ?event dip:actor ent:li-junhua }
          UNION { ?event dip:participant ent:li-junhua }
          OPTIONAL { ?event dip:date ?date }
          OPTIONAL { ?event dip:timeExpression ?when }
        }""",
    )
    assert [(date, when) for _, date, when in about_li] == [("", "it had summoned")]
    on_wednesday = 'SELECT ?e WHERE { ?e dip:date "2021-03-24"^^xsd:date ; dip:target ent:li-junhua }'
    assert select(kg, on_wednesday) == []


def test_what_blinken_said_where_when_and_through_which_outlet(kg: Graph) -> None:
    rows = select(
        kg,
        """
        SELECT ?outlet ?place ?date ?words WHERE {
          ?quote a dip:Quotation ; dip:speaker ent:antony-blinken ; schema:text ?words ;
                 dip:relayedBy/rdfs:label ?outlet ; dip:deliveredDuring ?speech .
          ?speech a dip:Speech ; dip:place ent:nato-headquarters ; dip:date ?date .
          ent:nato-headquarters rdfs:label ?place .
        }""",
    )
    assert len(rows) == 1
    outlet, place, date, words = rows[0]
    assert (outlet, place, date) == ("CNBC", "NATO headquarters", "2021-03-24")
    assert words.startswith("The United States won't force our allies")
    unrelayed = select(
        kg,
        """
        SELECT ?words WHERE {
          ?quote dip:speaker ent:antony-blinken ; schema:text ?words .
          FILTER NOT EXISTS { ?quote dip:relayedBy ?any }
        }""",
    )
    assert unrelayed == [
        (
            "We are looking very much forward actually having close consultations "
            "between the United States and the EU on China,",
        )
    ]


def test_what_blinken_added_is_tied_to_no_event(kg: Graph) -> None:
    """'"We are looking very much forward ...," Blinken added.': the article does not say where."""
    rows = select(
        kg,
        """
        SELECT ?event WHERE {
          ?quote dip:speaker ent:antony-blinken ; schema:text ?words ; dip:deliveredDuring ?event .
          FILTER (STRSTARTS(STR(?words), "We are looking very much forward"))
        }""",
    )
    assert rows == []
    quotes_at_the_speech = select(
        kg,
        """
        SELECT ?words WHERE {
          ?quote dip:deliveredDuring ?speech ; schema:text ?words . ?speech a dip:Speech .
        }""",
    )
    assert [words[:41] for (words,) in quotes_at_the_speech] == ["The United States won't force our allies "]


def test_the_four_practices_blinken_called_out(kg: Graph) -> None:
    rows = select(
        kg,
        """
        SELECT ?practice WHERE {
          ?callout a dip:Criticism ; dip:actor ent:antony-blinken ; dip:target ent:china .
          ?claim dip:madeIn ?callout ; dip:claimant ent:antony-blinken ;
                 dip:allegedAgent ent:china ; dip:alleges/skos:prefLabel ?practice .
          FILTER NOT EXISTS { ?callout dip:date ?d }
        }""",
    )
    assert [r[0] for r in rows] == [
        "human rights abuses",
        "intellectual property theft",
        "militarization of the South China Sea",
        "predatory economics",
    ]


def test_what_blinken_called_on_china_to_do(kg: Graph) -> None:
    rows = select(
        kg,
        """
        SELECT ?target ?asks WHERE {
          ?appeal a dip:Appeal ; dip:actor ent:antony-blinken ; dip:target ?t ; dip:asks ?asks .
          ?t dip:bodyOf ent:china ; rdfs:label ?target .
        }""",
    )
    assert rows == [
        (
            "Government of China",
            "follow through on its commitments on human rights as well as on other issues of concern",
        )
    ]


def test_blinken_appeal_to_china_is_about_human_rights_not_xinjiang(kg: Graph) -> None:
    """'commitments on human rights as well as on other issues of concern': no region is named."""
    rows = select(
        kg,
        """
        SELECT ?topic ?label WHERE {
          ?appeal a dip:Appeal ; dip:actor ent:antony-blinken ; dip:target ent:chinese-government ;
                  dip:topic ?topic .
          ?topic skos:prefLabel ?label ; skos:inScheme ?scheme .
        }""",
    )
    assert rows == [(CONCEPT + "human-rights", "human rights")]


def test_the_appeal_to_nato_allies_is_labelled_in_the_articles_words(in_seed_project: Path) -> None:
    """'called on NATO allies to work with America to mount a pushback on Beijing', as printed."""
    label = "Blinken calls on NATO allies to work with America to mount a pushback on Beijing"
    for name in ("timeline", "accusations-and-demands"):
        result = CliRunner().invoke(main, ["query", name, "--format", "csv"])
        assert result.exit_code == 0, result.stderr
        events = {row["event"] for row in csv.DictReader(io.StringIO(result.stdout))}
        assert label in events, name
        assert not [event for event in events if "pushback" in event and event != label], name


def test_cao_says_the_eu_acted_on_lies_not_that_it_spread_them(kg: Graph) -> None:
    """'the EU had "imposed sanctions on China based on Xinjiang-related lies and false information"'."""
    rows = select(
        kg,
        """
        SELECT ?claim ?alleges ?label WHERE {
          ?claim a dip:Claim ; dip:claimant ent:cao-zhongming ; dip:allegedAgent ent:european-union ;
                 dip:alleges ?concept ; rdfs:label ?label ; dip:evidence/oa:exact ?words .
          ?concept skos:prefLabel ?alleges .
          FILTER (CONTAINS(?words, "based on Xinjiang-related lies"))
        }""",
    )
    assert [row[1:] for row in rows] == [
        (
            "acting on lies and false information",
            "The EU imposed sanctions on China based on Xinjiang-related lies and false information "
            "(Cao Zhongming)",
        )
    ]
    spreaders = select(
        kg,
        "SELECT ?agent WHERE { ?c dip:alleges concept:spreading-disinformation ; dip:allegedAgent ?agent }",
    )
    assert ENT + "european-union" not in {agent for (agent,) in spreaders}
    assert len(spreaders) == 2, "China's own claim about the ten officials and four organisations stays"


def test_chinese_ambassadors_are_posted_in_embassies_alike(kg: Graph) -> None:
    """Both Chinese ambassadors' posts are in an embassy of China in the country they are accredited to."""
    rows = select(
        kg,
        """
        SELECT ?post ?embassy ?holder WHERE {
          ?post a dip:AmbassadorPost ; dip:represents ent:china ; dip:accreditedTo ?country ;
                org:postIn ?embassy ; org:heldBy/rdfs:label ?holder .
          ?embassy a dip:GovernmentBody ; dip:bodyOf ent:china ; dip:locatedIn ?country .
        }""",
    )
    post = "https://w3id.org/dipkg/post/"
    assert rows == [
        (post + "chinese-ambassador-to-belgium", ENT + "chinese-embassy-in-belgium", "Cao Zhongming"),
        (post + "chinese-ambassador-to-italy", ENT + "chinese-embassy-in-italy", "Li Junhua"),
    ]


def test_which_earlier_measure_the_eu_sanctions_are_compared_with(kg: Graph) -> None:
    rows = select(
        kg,
        """
        SELECT ?year ?after WHERE {
          ?eu a dip:Sanction ; dip:actor ent:european-union ; dip:firstSince ?earlier .
          ?earlier a dip:ArmsEmbargo ; dip:actor ent:european-union ; dip:target ent:china ;
                   dip:year ?year ; dip:follows/rdfs:label ?after .
        }""",
    )
    assert rows == [("1989", "1989 Tiananmen Square massacre")]


def test_post_holdings_are_evidenced(kg: Graph) -> None:
    rows = select(
        kg,
        """
        SELECT ?holder ?post WHERE {
          ?h a dip:PostHolding ; dip:holder/rdfs:label ?holder ; dip:post/rdfs:label ?post ;
             dip:evidence ?span .
        }""",
    )
    assert ("Antony Blinken", "Secretary of State of the United States") in rows
    assert ("Qin Gang", "Vice Minister of Foreign Affairs of China") in rows
    assert len({r[0] for r in rows}) == 6


def test_claims_are_never_facts(kg: Graph) -> None:
    """'China threatens NATO' is Blinken's claim: no event, no direct link from China to NATO."""
    assert select(kg, "SELECT ?p WHERE { ent:china ?p ent:nato }") == []
    assert select(kg, "SELECT ?c WHERE { ?c a dip:Claim . ?c a ?t . ?t rdfs:subClassOf* dip:Event }") == []
    rows = select(
        kg,
        """
        SELECT ?claimant WHERE {
          ?claim a dip:Claim ; dip:alleges concept:threat-to-security ; schema:about ent:nato ;
                 dip:claimant/rdfs:label ?claimant ; dip:evidence/oa:exact ?words .
          FILTER (?words = "Antony Blinken says China threatens NATO security")
        }""",
    )
    assert rows == [("Antony Blinken",)]
    unattributed = select(kg, "SELECT ?c WHERE { ?c a dip:Claim FILTER NOT EXISTS { ?c dip:claimant ?x } }")
    assert unattributed == []


def test_every_event_quote_claim_and_holding_has_evidence(kg: Graph, ontology: Graph) -> None:
    merged = kg + ontology
    missing = select(
        merged,
        """
        SELECT ?x WHERE {
          ?x a ?type .
          { ?type rdfs:subClassOf* dip:Event }
          UNION { VALUES ?type { dip:Quotation dip:Claim dip:PostHolding } }
          FILTER NOT EXISTS { ?x dip:evidence ?span }
        }""",
    )
    assert missing == []
    counts = select(
        merged,
        """
        SELECT ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE {
          { ?x a ?t . ?t rdfs:subClassOf* dip:Event BIND("event" AS ?kind) }
          UNION { ?x a dip:Quotation BIND("quote" AS ?kind) }
          UNION { ?x a dip:Claim BIND("claim" AS ?kind) }
          UNION { ?x a dip:PostHolding BIND("holding" AS ?kind) }
        } GROUP BY ?kind""",
    )
    assert counts == [("claim", "16"), ("event", "23"), ("holding", "6"), ("quote", "4")]


def test_evidence_offsets_slice_the_article_text(kg: Graph) -> None:
    rows = kg.query("""
        PREFIX dip: <https://w3id.org/dipkg/ontology#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        PREFIX schema: <https://schema.org/>
        SELECT ?exact ?start ?end ?text ?sStart ?sEnd WHERE {
          ?span a dip:EvidenceSpan ; oa:exact ?exact ; oa:start ?start ; oa:end ?end ;
                dip:inArticle ?article ; dip:sentence ?sentence .
          ?sentence oa:start ?sStart ; oa:end ?sEnd .
          ?article schema:text ?text .
        }""")
    checked = 0
    for exact, start, end, text, s_start, s_end in rows:  # type: ignore[misc]
        assert str(text)[int(start) : int(end)] == str(exact)
        assert int(s_start) <= int(start) < int(end) <= int(s_end)
        checked += 1
    assert checked > 60


def test_weekday_expressions_resolve_to_matching_dates(kg: Graph) -> None:
    rows = select(kg, "SELECT ?expr ?date WHERE { ?e dip:timeExpression ?expr ; dip:date ?date }")
    weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    from datetime import date

    for expression, value in rows:
        named = next(w for w in weekdays if w in expression.lower())
        assert weekdays[date.fromisoformat(value).weekday()] == named
    assert {value for _, value in rows} == {"2021-03-22", "2021-03-23", "2021-03-24"}


def test_wikidata_links_only_where_verified(kg: Graph) -> None:
    rows = select(kg, "SELECT ?e ?wd WHERE { ?e owl:sameAs ?wd }")
    assert dict(rows) == {
        ENT + "belgium": "http://www.wikidata.org/entity/Q31",
        ENT + "canada": "http://www.wikidata.org/entity/Q16",
        ENT + "china": "http://www.wikidata.org/entity/Q148",
        ENT + "european-union": "http://www.wikidata.org/entity/Q458",
        ENT + "italy": "http://www.wikidata.org/entity/Q38",
        ENT + "nato": "http://www.wikidata.org/entity/Q7184",
        ENT + "united-kingdom": "http://www.wikidata.org/entity/Q145",
        ENT + "united-states": "http://www.wikidata.org/entity/Q30",
    }
