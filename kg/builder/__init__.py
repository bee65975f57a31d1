"""The parts of a build, one job a module; ``kg.pipeline`` runs them in order.

- ``documents``: one file to its candidate facts (read, analyse, extract), long files in segments;
- ``engines``: where documents are processed (this process, a process pool, a Dask cluster);
- ``cached``: which cache entry stands for which file;
- ``assembly``: entities resolved across documents, the build report drafted;
- ``outputs``: the store version, graph.ttl, SHACL results, graph.html and report.json, staged and
  committed atomically.

A package, not ``kg.build``: ``kg.build`` is the public build function (``kg.__init__``), which a
subpackage of that name would shadow once imported.
"""
