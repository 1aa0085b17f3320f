# Connection by convention (docs/deploying.md): the values a client of this cluster needs, as SSM
# parameters under /infragen/<environment>/<name>/<key>. The keys of platform/database's postgres
# (host, port, database) so an application moves from postgres to aurora-postgres without changes,
# plus reader_host. Not secrets (no password: clients use IAM authentication as the user named
# like their service, which infragen puts into their environment directly).
locals {
  connection_parameters = {
    host        = module.cluster.endpoint
    reader_host = module.cluster.reader_endpoint
    port        = tostring(module.cluster.port)
    # the default database; the tables live in the owner's schema (`infragen datastore users`)
    database = "postgres"
  }
}

resource "aws_ssm_parameter" "connection" {
  #checkov:skip=CKV2_AWS_34:Connection coordinates (host, port, names, URLs) are not secret; a SecureString would only add a KMS dependency to every task start.
  for_each = local.connection_parameters

  name        = "/infragen/${var.environment}/${var.name}/${each.key}"
  description = "${each.key} of Aurora cluster ${var.name} (infragen connection by convention)"
  type        = "String"
  value       = each.value

  tags = local.tags
}
