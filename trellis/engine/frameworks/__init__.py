"""Standards frameworks in CASE 1.0: import, validation, the competency graph, export.

A district brings its standards into Trellis as a **CASE 1.0 CFPackage** (the 1EdTech format
in which states and publishers exchange frameworks): a document, its items (grades, domains,
clusters, standards) and associations between them. Trellis reads the ``isChildOf`` outline
to group standards by grade and domain, and reads ``precedes`` as *prerequisite of* to build
the :class:`~trellis.engine.competencies.CompetencyGraph` that planning walks.

Entry points (the CLI and the upload page call only these):

- :func:`load_case_package` — path / bytes / file object / dict → :class:`FrameworkPackage`,
  or :class:`CaseValidationError` whose ``errors`` list every problem (:class:`CaseError`:
  which object, which field, what is wrong);
- :meth:`FrameworkPackage.summary` — counts of items and associations by type, for a dry run;
- :attr:`FrameworkPackage.graph` — the standards and their prerequisite edges, each node
  carrying grade and domain;
- :meth:`FrameworkPackage.context` — the grade, domain and cluster of any item;
- :func:`export_case_package` — a framework back to a strictly valid CFPackage dict
  (:func:`encode_item` and friends give the JSON of one object, e.g. to store beside a row).

Everything here is pure Python (no Django), so it is tested and reused without a database.
See ``docs/frameworks.md`` for what is validated and what is kept.
"""

from trellis.engine.frameworks.case_export import (
    encode_association,
    encode_document,
    encode_item,
    export_case_package,
)
from trellis.engine.frameworks.case_import import (
    CaseSource,
    load_case_package,
    parse_case_package,
    read_case_json,
)
from trellis.engine.frameworks.entities import (
    AssociationType,
    ExternalReference,
    FrameworkAssociation,
    FrameworkDocument,
    FrameworkItem,
    ItemKind,
    LinkRef,
    classify_item_type,
)
from trellis.engine.frameworks.errors import CaseError, CaseValidationError, ErrorKind
from trellis.engine.frameworks.package import FrameworkPackage, FrameworkSummary
from trellis.engine.frameworks.structure import OutlineContext

__all__ = [
    "AssociationType",
    "CaseError",
    "CaseSource",
    "CaseValidationError",
    "ErrorKind",
    "ExternalReference",
    "FrameworkAssociation",
    "FrameworkDocument",
    "FrameworkItem",
    "FrameworkPackage",
    "FrameworkSummary",
    "ItemKind",
    "LinkRef",
    "OutlineContext",
    "classify_item_type",
    "encode_association",
    "encode_document",
    "encode_item",
    "export_case_package",
    "load_case_package",
    "parse_case_package",
    "read_case_json",
]
