"""The validate stage: rendered documents against Yuki's XSDs, before anything leaves.

`xsd` holds the checks a conversion uses (`XsdCheck` while a document is rendered,
`xsd_problems` to explain a failure at its source rows); `streaming` holds the validators:
lxml's, which words every verdict, and libxml2's own streaming validator, which decides for
big documents in a thread beside the renderer, without Python's lock (or, where it cannot
be reached, lxml's in a process of its own: `python -m yukimap.validate.streaming`, which
imports nothing heavy, and neither does this package).
"""
