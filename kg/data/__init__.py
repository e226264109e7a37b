"""Files to validated entities: YAML records with file and line, validation (tiers 1-2), round-trip YAML, duplicate search."""
