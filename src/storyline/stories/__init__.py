"""Stories: pairwise same-story scoring and online story assignment."""
