"""Model evaluation helpers: honest metrics against baselines, and small plots for metadata."""
