"""A root's files printed from its computed body (generator.plan.roots.RootBody): service roots
and the teams' alerts roots share the five files; references-<team>.tf only where a service names
another service's datastores, one per named team."""

from __future__ import annotations

from generator import hcl
from generator.plan.roots import (
    AWS_PROVIDER_VERSION,
    CONSUL_PROVIDER_VERSION,
    TERRAFORM_VERSION,
    OutputFile,
    RootBody,
)
from generator.render.jinja import render
from generator.spec import naming


def root_files(body: RootBody) -> list[OutputFile]:
    """references-<team>.tf (one per team the body names), then main, versions, providers, backend, outputs."""
    per_file = body.inputs
    rendered = {
        "main.tf": render("main.tf.j2", header=naming.header(per_file["main.tf"]), blocks=body.blocks),
        "versions.tf": render(
            "versions.tf.j2",
            header=naming.header(per_file["versions.tf"]),
            terraform_version=hcl.string(TERRAFORM_VERSION),
            aws_version=hcl.string(AWS_PROVIDER_VERSION),
            consul_version=hcl.string(CONSUL_PROVIDER_VERSION) if body.consul else None,
        ),
        "providers.tf": render(
            "providers.tf.j2",
            header=naming.header(per_file["providers.tf"]),
            aws=hcl.body(body.provider),
            tags=hcl.body([("tags", dict(body.tags))], 2),
            consul=body.consul,
        ),
        "backend.tf": render(
            "backend.tf.j2", header=naming.header(per_file["backend.tf"]), backend=hcl.body(body.backend, 2)
        ),
        "outputs.tf": render("outputs.tf.j2", header=naming.header(per_file["outputs.tf"]), outputs=body.outputs),
    }
    files = [OutputFile(f"{body.dir}/{name}", text, per_file[name]) for name, text in rendered.items()]
    named = [
        OutputFile(
            f"{body.dir}/{item.name}",
            render("references.tf.j2", header=naming.header(item.inputs), item=item, unit=False),
            item.inputs,
        )
        for item in body.references
    ]
    return [*named, *files]
