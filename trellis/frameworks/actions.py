"""Writes to the curriculum: importing and exporting standards frameworks.

**Importing a framework** (:func:`do_import_framework`) turns a CASE 1.0 CFPackage into rows:
the CFDocument becomes a :class:`~trellis.frameworks.models.Framework`, every CFItem a
:class:`~trellis.frameworks.models.Standard` (grades, domains and clusters included, with their
place in the outline), every CFAssociation a
:class:`~trellis.frameworks.models.StandardAssociation`. The rules:

- **All or nothing.** The package is validated whole by the engine
  (:func:`trellis.engine.frameworks.load_case_package`); any problem — a missing field, a
  dangling link, a prerequisite cycle — comes back as a list of :class:`ImportProblem` (which
  item, by identifier and code, and which field) and nothing is written. The writes themselves
  run in one transaction.
- **Dry run.** ``dry_run=True`` does every check and counts what *would* change (created,
  updated, unchanged, removed) without writing.
- **Update in place.** A framework is known by its CFDocument ``identifier`` within the
  district, and each item and association by its own ``identifier``: re-importing a newer
  version of a framework updates the existing rows, so mastery, evidence, aligned items and
  playlists that point at a standard keep pointing at it. Items and associations absent from
  the new package are removed — unless something still uses a standard (student evidence,
  mastery, aligned items, activities, playlists), in which case the import is refused with one
  problem per such standard: retire it in the framework (``statusEndDate``) instead of deleting
  it.

**Exporting** (:func:`do_export_framework`) rebuilds the package from the stored CASE JSON and
writes a strictly valid CFPackage; it is audited as an export, like every export.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import models, transaction

from trellis.accounts.models import District, User
from trellis.audit.actions import record
from trellis.core.limits import import_limits
from trellis.engine.frameworks import (
    CaseError,
    CaseSource,
    CaseValidationError,
    FrameworkAssociation,
    FrameworkItem,
    FrameworkPackage,
    FrameworkSummary,
    encode_association,
    encode_document,
    encode_item,
    export_case_package,
    load_case_package,
)
from trellis.frameworks.models import Framework, Standard, StandardAssociation

Progress = Callable[[float, str], None]


# -- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One reason an import was refused, located like a :class:`CaseError`: which object
    (entity, identifier, code) and which field, with a JSON path into the uploaded file."""

    message: str
    entity: str = "CFPackage"
    identifier: str | None = None
    code: str | None = None
    field: str | None = None
    path: str = "$"
    kind: str = "schema"

    @classmethod
    def from_case_error(cls, error: CaseError) -> ImportProblem:
        return cls(
            message=error.message, entity=error.entity, identifier=error.identifier,
            code=error.code, field=error.field, path=error.path, kind=str(error.kind),
        )

    @property
    def who(self) -> str:
        """The object, as a person reads it: ``CFItem (code 7.EE.A.1, identifier …)``."""
        names = []
        if self.code:
            names.append(f"code {self.code}")
        if self.identifier:
            names.append(f"identifier {self.identifier}")
        return self.entity + (f" ({', '.join(names)})" if names else "")

    def __str__(self) -> str:
        where = f"field {self.field!r} at {self.path}" if self.field else f"at {self.path}"
        return f"{self.who}, {where}: {self.message}"


@dataclass(frozen=True)
class ChangeCounts:
    """What an import does (or would do) to rows of one kind."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def line(self) -> str:
        return (
            f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed"
        )


@dataclass(frozen=True)
class FrameworkImportReport:
    """The outcome of :func:`do_import_framework`: counts when it worked, problems when not."""

    dry_run: bool
    errors: tuple[ImportProblem, ...] = ()
    summary: FrameworkSummary | None = None
    items: ChangeCounts = field(default_factory=ChangeCounts)
    associations: ChangeCounts = field(default_factory=ChangeCounts)
    framework_id: int | None = None
    updates_existing: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self, max_errors: int = 1000) -> dict[str, Any]:
        """The report as JSON (a check job's result), at most ``max_errors`` problems kept."""
        return {
            "dry_run": self.dry_run,
            "errors": [asdict(error) for error in self.errors[:max_errors]],
            "error_count": len(self.errors),
            "summary": asdict(self.summary) if self.summary is not None else None,
            "items": asdict(self.items),
            "associations": asdict(self.associations),
            "framework_id": self.framework_id,
            "updates_existing": self.updates_existing,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FrameworkImportReport:
        """The report :meth:`as_dict` wrote."""
        summary = data.get("summary")
        return cls(
            dry_run=bool(data["dry_run"]),
            errors=tuple(ImportProblem(**error) for error in data.get("errors", [])),
            summary=FrameworkSummary(**summary) if summary else None,
            items=ChangeCounts(**data.get("items", {})),
            associations=ChangeCounts(**data.get("associations", {})),
            framework_id=data.get("framework_id"),
            updates_existing=bool(data.get("updates_existing")),
        )

    def lines(self) -> list[str]:
        """What the CLI prints and the upload page shows, one fact per line."""
        if not self.ok:
            count = len(self.errors)
            head = f"Refused: {count} problem{'s' if count != 1 else ''}; nothing was imported."
            return [head, *(str(error) for error in self.errors)]
        assert self.summary is not None  # noqa: S101 - an ok report always has a summary
        verb = "Would import" if self.dry_run else "Imported"
        what = "an update of an existing framework" if self.updates_existing else "a new framework"
        return [
            f"{verb} {what} (dry run: nothing written)." if self.dry_run else f"{verb} {what}.",
            *self.summary.lines(),
            f"Items: {self.items.line()}",
            f"Associations: {self.associations.line()}",
        ]


# -- import -------------------------------------------------------------------------------------


def do_import_framework(
    district: District,
    source: CaseSource,
    *,
    dry_run: bool = False,
    actor: User | None = None,
    progress: Progress | None = None,
    name: str | None = None,
) -> FrameworkImportReport:
    """Validate a CASE package and store it for ``district`` (all or nothing; see the module).

    The file is read within this deployment's import limits
    (:func:`trellis.core.limits.import_limits`); one over them is refused like any invalid
    package. ``name``: the file as the person knows it, for the messages."""

    def step(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    step(0.05, "Reading and validating the CASE package")
    try:
        package = load_case_package(source, limits=import_limits(), name=name)
    except CaseValidationError as error:
        return FrameworkImportReport(
            dry_run=dry_run,
            errors=tuple(ImportProblem.from_case_error(e) for e in error.errors),
        )
    step(0.4, "Comparing with what is stored")
    with transaction.atomic():
        existing = (
            Framework.objects.select_for_update()
            .filter(district=district, identifier=package.document.identifier)
            .first()
        )
        plan = _plan(existing, package)
        if plan.problems:
            return FrameworkImportReport(dry_run=dry_run, errors=tuple(plan.problems))
        report = FrameworkImportReport(
            dry_run=dry_run,
            summary=package.summary(),
            items=plan.item_counts,
            associations=plan.association_counts,
            framework_id=existing.id if existing else None,
            updates_existing=existing is not None,
        )
        if dry_run:
            return report
        step(0.5, "Writing standards")
        framework = _write(district, existing, package, plan, step)
        record(
            actor, "framework.import", framework, district=district,
            details={
                "identifier": framework.identifier,
                "items": plan.item_counts.__dict__,
                "associations": plan.association_counts.__dict__,
            },
        )
    step(1.0, "Imported")
    return FrameworkImportReport(
        dry_run=False,
        summary=report.summary,
        items=report.items,
        associations=report.associations,
        framework_id=framework.id,
        updates_existing=report.updates_existing,
    )


def _clip(value: str | None, model: type[models.Model], name: str) -> str:
    """Fit a display column; the full text stays in the row's CASE ``source`` JSON."""
    max_length = model._meta.get_field(name).max_length  # type: ignore[union-attr]
    text = value or ""
    return text[:max_length] if max_length else text


def _standard_values(package: FrameworkPackage, item: FrameworkItem, position: int) -> dict:  # type: ignore[type-arg]
    """The columns of a Standard row for ``item`` (everything but the parent link)."""
    context = package.context(item.identifier)
    return {
        "uri": _clip(item.uri, Standard, "uri"),
        "code": _clip(item.code, Standard, "code"),
        "statement": item.full_statement,
        "abbreviated": _clip(item.abbreviated_statement, Standard, "abbreviated"),
        "item_type": _clip(item.type_label, Standard, "item_type"),
        "education_levels": list(item.education_level),
        "grade": _clip(context.grade, Standard, "grade"),
        "domain": _clip(context.domain, Standard, "domain"),
        "cluster": _clip(context.cluster, Standard, "cluster"),
        "list_enumeration": _clip(item.list_enumeration, Standard, "list_enumeration"),
        "position": position,
        "source": encode_item(item, include_extensions=True),
    }


def _association_values(association: FrameworkAssociation) -> dict:  # type: ignore[type-arg]
    return {
        "association_type": str(association.association_type),
        "origin_uri": _clip(association.origin.uri, StandardAssociation, "origin_uri"),
        "destination_uri": _clip(
            association.destination.uri, StandardAssociation, "destination_uri"
        ),
        "sequence_number": association.sequence_number,
        "source": encode_association(association, include_extensions=True),
    }


def _framework_values(package: FrameworkPackage) -> dict:  # type: ignore[type-arg]
    document = package.document
    return {
        "uri": _clip(document.uri, Framework, "uri"),
        "title": _clip(document.title, Framework, "title"),
        "creator": _clip(document.creator, Framework, "creator"),
        "publisher": _clip(document.publisher, Framework, "publisher"),
        "subject": _clip(", ".join(document.subject), Framework, "subject"),
        "version": _clip(document.version, Framework, "version"),
        "adoption_status": _clip(document.adoption_status, Framework, "adoption_status"),
        "last_change": document.last_change_date_time,
        "document": encode_document(document, include_extensions=True),
        # CFDefinitions and CFRubrics: package-level CASE JSON kept for the export
        "definitions": {
            "CFDefinitions": dict(package.definitions) if package.definitions else None,
            "CFRubrics": [dict(rubric) for rubric in package.rubrics],
        },
    }


@dataclass
class _Plan:
    """What an import will change, computed before anything is written."""

    item_values: dict[str, dict]  # type: ignore[type-arg]
    association_values: dict[str, dict]  # type: ignore[type-arg]
    existing_items: dict[str, Standard]
    existing_associations: dict[str, StandardAssociation]
    removed_items: list[Standard]
    removed_associations: list[StandardAssociation]
    item_counts: ChangeCounts
    association_counts: ChangeCounts
    problems: list[ImportProblem]


_STANDARD_COLUMNS = (
    "uri", "code", "statement", "abbreviated", "item_type", "education_levels", "grade",
    "domain", "cluster", "list_enumeration", "position", "source",
)
_ASSOCIATION_COLUMNS = (
    "association_type", "origin_uri", "destination_uri", "sequence_number", "source",
)


def _differs(row: models.Model, values: Mapping[str, Any], columns: Iterable[str]) -> bool:
    return any(getattr(row, column) != values[column] for column in columns)


def _plan(existing: Framework | None, package: FrameworkPackage) -> _Plan:
    item_values = {
        item.identifier: _standard_values(package, item, position)
        for position, item in enumerate(package.items)
    }
    association_values = {a.identifier: _association_values(a) for a in package.associations}
    rows: dict[str, Standard] = {}
    links: dict[str, StandardAssociation] = {}
    if existing is not None:
        rows = {s.identifier: s for s in Standard.objects.filter(framework=existing)}
        links = {a.identifier: a for a in StandardAssociation.objects.filter(framework=existing)}
    removed_items = [row for identifier, row in rows.items() if identifier not in item_values]
    removed_links = [
        row for identifier, row in links.items() if identifier not in association_values
    ]
    updated_items = sum(
        1
        for identifier, values in item_values.items()
        if identifier in rows and _differs(rows[identifier], values, _STANDARD_COLUMNS)
    )
    updated_links = sum(
        1
        for identifier, values in association_values.items()
        if identifier in links and _differs(links[identifier], values, _ASSOCIATION_COLUMNS)
    )
    kept_items = sum(1 for identifier in item_values if identifier in rows)
    kept_links = sum(1 for identifier in association_values if identifier in links)
    return _Plan(
        item_values=item_values,
        association_values=association_values,
        existing_items=rows,
        existing_associations=links,
        removed_items=removed_items,
        removed_associations=removed_links,
        item_counts=ChangeCounts(
            created=len(item_values) - kept_items,
            updated=updated_items,
            unchanged=kept_items - updated_items,
            removed=len(removed_items),
        ),
        association_counts=ChangeCounts(
            created=len(association_values) - kept_links,
            updated=updated_links,
            unchanged=kept_links - updated_links,
            removed=len(removed_links),
        ),
        problems=_standards_still_in_use(removed_items),
    )


def _standards_still_in_use(removed: list[Standard]) -> list[ImportProblem]:
    """One problem per removed standard that other data still points at.

    Every relation to Standard is found through Django's model metadata, so a table added
    later (plans, goals...) is protected without changing this function. The framework's own
    outline (``parent``) and associations are not uses: they are rewritten by the import.
    """
    if not removed:
        return []
    ids = [row.id for row in removed]
    uses: Counter[int] = Counter()
    labels: dict[int, set[str]] = {}
    for relation in Standard._meta.related_objects:
        related = relation.related_model
        if related in (Standard, StandardAssociation):
            continue
        if relation.many_to_many:
            through = relation.through  # type: ignore[attr-defined]
            column = next(
                f.name for f in through._meta.get_fields()
                if getattr(f, "related_model", None) is Standard
            )
            found = through.objects.filter(**{f"{column}_id__in": ids}).values_list(
                f"{column}_id", flat=True
            )
        else:
            column = relation.field.name
            found = related.objects.filter(**{f"{column}_id__in": ids}).values_list(  # type: ignore[union-attr]
                f"{column}_id", flat=True
            )
        for standard_id in found:
            uses[standard_id] += 1
            labels.setdefault(standard_id, set()).add(str(related._meta.verbose_name_plural))  # type: ignore[union-attr]
    return [
        ImportProblem(
            message=(
                "this standard is missing from the new package but is still used ("
                + ", ".join(sorted(labels[row.id]))
                + "); keep it in the package and retire it with statusEndDate instead"
            ),
            entity="CFItem",
            identifier=row.identifier,
            code=row.code or None,
            kind="in-use",
        )
        for row in removed
        if uses[row.id]
    ]


def _write(
    district: District,
    existing: Framework | None,
    package: FrameworkPackage,
    plan: _Plan,
    step: Progress,
) -> Framework:
    values = _framework_values(package)
    if existing is None:
        framework = Framework.objects.create(
            district=district, identifier=package.document.identifier, **values
        )
    else:
        framework = existing
        for name, value in values.items():
            setattr(framework, name, value)
        framework.save()  # also moves imported_at: the graph cache key (adapters)

    StandardAssociation.objects.filter(id__in=[a.id for a in plan.removed_associations]).delete()
    Standard.objects.filter(id__in=[s.id for s in plan.removed_items]).delete()

    # Standards: create the new, update the changed, then link each to its outline parent.
    new_rows = [
        Standard(framework=framework, identifier=identifier, **values)
        for identifier, values in plan.item_values.items()
        if identifier not in plan.existing_items
    ]
    Standard.objects.bulk_create(new_rows, batch_size=500)
    changed = []
    for identifier, values in plan.item_values.items():
        row = plan.existing_items.get(identifier)
        if row is not None and _differs(row, values, _STANDARD_COLUMNS):
            for name, value in values.items():
                setattr(row, name, value)
            changed.append(row)
    Standard.objects.bulk_update(changed, list(_STANDARD_COLUMNS), batch_size=500)
    step(0.7, "Linking the outline")
    id_of = dict(
        Standard.objects.filter(framework=framework).values_list("identifier", "id")
    )
    parent_changes = []
    for row in Standard.objects.filter(framework=framework).only("id", "identifier", "parent"):
        parent = package.parent(row.identifier)
        parent_id = id_of.get(parent.identifier) if isinstance(parent, FrameworkItem) else None
        if row.parent_id != parent_id:
            row.parent_id = parent_id
            parent_changes.append(row)
    Standard.objects.bulk_update(parent_changes, ["parent"], batch_size=500)

    step(0.85, "Writing associations")

    association_by_id = {a.identifier: a for a in package.associations}

    def ends(association_id: str) -> dict[str, int | None]:
        association = association_by_id[association_id]
        return {
            "origin_id": id_of.get(association.origin.identifier),
            "destination_id": id_of.get(association.destination.identifier),
        }

    new_links = [
        StandardAssociation(
            framework=framework, identifier=identifier, **values, **ends(identifier)
        )
        for identifier, values in plan.association_values.items()
        if identifier not in plan.existing_associations
    ]
    StandardAssociation.objects.bulk_create(new_links, batch_size=500)
    changed_links = []
    for identifier, values in plan.association_values.items():
        link = plan.existing_associations.get(identifier)
        if link is None:
            continue
        wanted = {**values, **ends(identifier)}
        if _differs(link, wanted, [*_ASSOCIATION_COLUMNS, "origin_id", "destination_id"]):
            for name, value in wanted.items():
                setattr(link, name, value)
            changed_links.append(link)
    StandardAssociation.objects.bulk_update(
        changed_links, [*_ASSOCIATION_COLUMNS, "origin", "destination"], batch_size=500
    )
    return framework


# -- export -------------------------------------------------------------------------------------


def do_export_framework(framework: Framework, *, actor: User | None = None) -> dict[str, Any]:
    """The framework as a strictly valid CASE 1.0 CFPackage (a JSON object); audited."""
    from trellis.frameworks.adapters import framework_package

    exported = export_case_package(framework_package(framework))
    record(
        actor, "framework.export", framework, district=framework.district,
        details={
            "identifier": framework.identifier,
            "items": len(exported["CFItems"]),
            "associations": len(exported["CFAssociations"]),
        },
    )
    return exported
