"""The diplomacy domain declared once (data/domain.yaml), and the files generated from it."""
