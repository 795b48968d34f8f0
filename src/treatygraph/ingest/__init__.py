"""From article files to checked, sourced facts: reading articles, drafting and loading facts."""
