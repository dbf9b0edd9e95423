"""The SQL of template-noise, one query per file; installed as template_noise.sql."""
