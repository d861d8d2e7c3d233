"""Star-creation analysis (placeholder; filled in below)."""
