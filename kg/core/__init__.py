"""The ground every stage stands on: errors, the schema (the one declaration of kinds and fields), the entity model."""
