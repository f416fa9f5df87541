"""`mnemoforge sandbox build|check`: make the sandbox image, and say in plain words what works here."""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import StrEnum
from typing import Annotated

import typer

from evolve.cli.support import UserError, err, out, reports_user_errors
from sandbox import docker_cli, image
from sandbox.check import Finding, check_docker, check_process

sandbox_app = typer.Typer(
    help="The sandbox that runs memory programs: build its image, check what works.", no_args_is_help=True
)


class BuildMethod(StrEnum):
    auto = "auto"
    debootstrap = "debootstrap"
    dockerfile = "dockerfile"


@sandbox_app.command("build")
@reports_user_errors
def build_command(
    method: Annotated[
        BuildMethod,
        typer.Option(
            help="debootstrap (offline, from Debian packages; needs root), dockerfile (needs a registry)."
        ),
    ] = BuildMethod.auto,
    force: Annotated[
        bool, typer.Option(help="Rebuild even if the image is present, Debian base included.")
    ] = False,
    prune: Annotated[bool, typer.Option(help="Remove sandbox images of older harness versions.")] = False,
) -> None:
    """Build the sandbox image (Debian bookworm, python3, numpy and the harness)."""
    status = docker_cli.daemon_status()
    if not status.reachable:
        raise UserError(f"no Docker daemon is reachable ({status.detail}); start dockerd and try again")
    tag = image.image_tag()
    if not force and docker_cli.image_exists(tag):
        out.print(f"{tag} is up to date")
    else:
        try:
            report = image.build_image(
                method.value, force=force, log=lambda step: err.print(f"[dim]{step}[/dim]")
            )
        except image.ImageBuildError as error:
            raise UserError(f"the sandbox image could not be built: {error}") from None
        base = f" (Debian base {report.base_seconds:.0f} s)" if report.base_seconds is not None else ""
        out.print(f"built {report.tag} with {report.method} in {report.seconds:.0f} s{base}")
    if prune:
        removed = image.remove_stale_images()
        out.print(f"removed {len(removed)} older image(s)" + (f": {', '.join(removed)}" if removed else ""))


@sandbox_app.command("check")
@reports_user_errors
def check_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON on stdout.")] = False,
) -> None:
    """Say whether the Docker sandbox works with every limit in force, and what the process sandbox lacks.

    Exits 1 when the Docker sandbox is not fully usable.
    """
    docker = check_docker()
    process = check_process()
    usable = all(finding.ok for finding in docker)
    if as_json:
        print(
            json.dumps(
                {"docker_usable": usable, "docker": _rows(docker), "process": _rows(process)}, indent=2
            )
        )
    else:
        out.print("[bold]Docker sandbox[/bold]")
        for finding in docker:
            _print(finding)
        verdict = "usable" if usable else "not usable: fix the lines marked no"
        out.print(f"  → the Docker sandbox is [bold]{verdict}[/bold]")
        out.print("[bold]Process sandbox[/bold] (the fallback when Docker is missing; weaker)")
        for finding in process:
            _print(finding, weakness=finding.name == "weakness")
    if not usable:
        raise typer.Exit(1)


def _print(finding: Finding, weakness: bool = False) -> None:
    mark = "[yellow]weak[/yellow]" if weakness else "[green]yes[/green] " if finding.ok else "[red]no[/red]  "
    label = "" if weakness else f"{finding.name}: "
    out.print(f"  {mark} {label}{finding.detail}", highlight=False)


def _rows(findings: list[Finding]) -> list[dict[str, object]]:
    return [asdict(finding) for finding in findings]
