"""Small rules every app shares (DESIGN §5): percentages from counts, money as text, counts
too small to show. Nothing here imports an app of the project."""
