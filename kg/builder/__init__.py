"""The parts of a build, one job a module; ``kg.pipeline`` runs them in order.

- ``documents``: one file to its candidate facts (read, analyse, extract), long files in segments;
- ``engines``: where documents are processed (this process, a process pool, a Dask cluster);
- ``cached``: which cache entry (or store version's snapshot of results) stands for which file;
- ``ingest``: files ``kg add`` copies into the corpus, and where they came from;
- ``assembly``: entities resolved across documents, the build report drafted;
- ``staging``: the new store version, changed only where the graph changed;
- ``outputs``: graph.ttl, SHACL results, graph.html and report.json beside the store version, staged
  and committed atomically.

A package, not ``kg.build``: ``kg.build`` is the public build function (``kg.__init__``), which a
subpackage of that name would shadow once imported.
"""
