"""The bundled sample log; installed as template_noise.sample_data."""
