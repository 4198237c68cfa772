"""Framework pages: the list, the CASE upload (dry run, then import) and export.

The skill map of a framework, coloured by a student's mastery, is the learning app's page
(:mod:`trellis.learning.views_skill_map`), drawn with the layout of
:mod:`trellis.frameworks.layout`.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.accounts.models import User
from trellis.accounts.permissions import NotFound, jobs_visible_to
from trellis.core.jobs import settle_if_interrupted
from trellis.core.limits import upload_limit_text, upload_too_large
from trellis.core.models import Job
from trellis.frameworks.actions import FrameworkImportReport, do_export_framework
from trellis.frameworks.actions_import_jobs import (
    CHECK_KIND,
    do_start_framework_check,
    do_start_framework_import,
    store_upload,
    stored_path,
)
from trellis.frameworks.adapters import FrameworkDataError, load_framework
from trellis.frameworks.queries import (
    access_managed_framework,
    can_manage_frameworks,
    frameworks_visible_to,
)

logger = logging.getLogger(__name__)

# -- pages ---------------------------------------------------------------------------------------


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
@require_GET
def framework_list(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    frameworks = []
    for framework in frameworks_visible_to(viewer):
        try:
            graph = load_framework(framework).graph
        except FrameworkDataError:
            logger.exception("framework %s cannot be read", framework.id)
            frameworks.append({"framework": framework, "broken": True})
            continue
        frameworks.append(
            {
                "framework": framework,
                "standards": len(graph),
                "prerequisites": len(graph.edges),
            }
        )
    return render(
        request,
        "curriculum/framework_list.html",
        {"frameworks": frameworks, "can_manage": can_manage_frameworks(viewer)},
    )


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
SESSION_UPLOADS = "framework_uploads"  # token -> {"name": file name, "check": check job id}


def _check_job(viewer: User, job_id: Any) -> Job | None:
    """A framework check the viewer may see (their own, or their district's for its admins)."""
    try:
        return jobs_visible_to(viewer).get(id=int(job_id), kind=CHECK_KIND)
    except (Job.DoesNotExist, TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def framework_import(request: HttpRequest) -> HttpResponse:
    """Upload a CASE package: it is checked as a job (the dry-run report, ``?check=<job>``),
    then a button imports it (another job)."""
    viewer = _viewer(request)
    if not can_manage_frameworks(viewer):
        raise NotFound
    context: dict[str, Any] = {"upload_limit": upload_limit_text()}
    if request.method == "POST":
        too_large = upload_too_large(request, "That file")
        upload = None if too_large else request.FILES.get("package")
        if too_large:
            context["upload_error"] = too_large
        elif upload is None:
            context["upload_error"] = "Choose a CASE package file (.json or .json.gz) to check."
        else:
            file_name = Path(upload.name or "package.json").name
            token = store_upload(upload)
            job = do_start_framework_check(viewer, token=token, file_name=file_name)
            tokens = request.session.get(SESSION_UPLOADS, {})
            tokens[token] = {"name": file_name, "check": job.id}
            request.session[SESSION_UPLOADS] = tokens
            if job.done:
                return redirect(job.result_url)
            return redirect("job-status", job_id=job.id)
        return render(request, "curriculum/framework_import.html", context, status=400)
    if "check" in request.GET:
        found = _check_job(viewer, request.GET["check"])
        if found is None:
            raise NotFound
        job = settle_if_interrupted(found)
        if not job.done:
            return redirect("job-status", job_id=job.id)
        if job.status == Job.Status.FAILED:
            context["upload_error"] = job.error
        else:
            result = job.result or {}
            report = FrameworkImportReport.from_dict(result["report"])
            context["report"] = report
            context["more_errors"] = result["report"].get("error_count", 0) - len(report.errors)
            context["filename"] = result["file_name"]
            token = result["token"]
            if report.ok and token in request.session.get(SESSION_UPLOADS, {}):
                context["token"] = token
    return render(request, "curriculum/framework_import.html", context)


@login_required
@require_POST
def framework_import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the package checked a moment ago (kept server-side under a session token)."""
    viewer = _viewer(request)
    if not can_manage_frameworks(viewer):
        raise NotFound
    token = request.POST.get("token", "")
    tokens: dict[str, Any] = request.session.get(SESSION_UPLOADS, {})
    upload = tokens.get(token) if _TOKEN.match(token) else None
    check = _check_job(viewer, upload.get("check")) if isinstance(upload, dict) else None
    result = check.result if check is not None and check.status == Job.Status.SUCCEEDED else None
    report = FrameworkImportReport.from_dict(result["report"]) if result else None
    if (
        report is None
        or not report.ok
        or result is None
        or result.get("token") != token
        or not stored_path(token).is_file()
    ):
        messages.error(request, "That upload has expired. Please choose the file again.")
        return redirect("framework-import")
    tokens.pop(token)
    request.session[SESSION_UPLOADS] = tokens
    title = report.summary.title if report.summary else result["file_name"]
    job = do_start_framework_import(
        viewer, token=token, file_name=result["file_name"], title=title
    )
    return redirect("job-status", job_id=job.id)


@login_required
@require_GET
def framework_export(request: HttpRequest, framework_id: int) -> HttpResponse:
    """Download the framework as a CASE 1.0 CFPackage (audited)."""
    import json

    viewer = _viewer(request)
    framework = access_managed_framework(viewer, framework_id)
    exported = do_export_framework(framework, actor=viewer)
    response = HttpResponse(
        json.dumps(exported, ensure_ascii=False, indent=1), content_type="application/json"
    )
    name = slugify(framework.title)[:60] or "framework"
    response["Content-Disposition"] = f'attachment; filename="{name}.case.json"'
    return response
