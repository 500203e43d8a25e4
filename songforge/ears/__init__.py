"""The trained ears: the models songforge trained to hear audio (the style tagger, the key estimator, the phoneme
judge, the vocal separator) as they are shipped (songforge/models/*), and what they hear in a reference recording.
Evaluation, the import of real songs and the front ends use them; the planner never imports them: what a reference
says reaches it as data (spec.song.StyleProfile, attached by songforge.songs.load)."""
