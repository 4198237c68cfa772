"""Tests of practice content (trellis/content): the item bank, its rendering, activities and
playlists."""
