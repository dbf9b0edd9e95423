"""Template inference: the labelled corpus and its evaluation against drain3 (issue 17)."""
