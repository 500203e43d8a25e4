"""songforge."""
