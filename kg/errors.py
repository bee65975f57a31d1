"""Exception tree for kg: every error the library raises on purpose derives from KGError.

::

    KGError
    ├── CorpusError        input files: unreadable, undecodable, empty, binary
    ├── ExtractionError    the NLP stage could not run (model missing, bad pipeline)
    ├── ResolutionError    entity clustering reached an inconsistent state
    ├── OntologyError      code and ontology/kg.ttl disagree, or a term is unknown
    ├── StoreError         the graph could not be written or read
    └── QueryError         a SPARQL query is malformed or failed

Only ``kg.cli`` turns these into exit codes.
"""

from __future__ import annotations


class KGError(Exception):
    """Base class of every error kg raises on purpose."""


class CorpusError(KGError):
    """An input document or corpus directory cannot be read as text."""


class ExtractionError(KGError):
    """The NLP pipeline cannot run."""


class ResolutionError(KGError):
    """Entity resolution met inconsistent input."""


class OntologyError(KGError):
    """The code refers to a term the ontology does not declare, or the ontology is unreadable."""


class StoreError(KGError):
    """The graph store cannot be opened, loaded or saved."""


class QueryError(KGError):
    """A SPARQL query is malformed or its evaluation failed."""
