"""template-noise: find noisy in-app notification templates in notification logs."""

__version__ = "0.1.0"
