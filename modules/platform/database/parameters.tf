# Connection by convention (docs/deploying.md): the values a client of this database needs, as SSM
# parameters under /infragen/<environment>/<name>/<key>. The task definition that infragen
# compiles reads them with valueFrom, so `infragen compile` needs no value that exists only
# after apply. They are not secrets (no password: clients use IAM authentication).
locals {
  # The user is not here: each connecting service authenticates with IAM as the database user
  # named like itself (rds-db:connect), which infragen puts into its environment directly.
  # database is the engine's default database (postgres); mysql has none, the application
  # creates its schema.
  connection_parameters = merge(
    {
      host = module.rds.address
      port = tostring(module.rds.port)
    },
    var.engine == "postgres" ? { database = "postgres" } : {},
  )
}

resource "aws_ssm_parameter" "connection" {
  #checkov:skip=CKV2_AWS_34:Connection coordinates (host, port, names, URLs) are not secret; a SecureString would only add a KMS dependency to every task start.
  for_each = local.connection_parameters

  name        = "/infragen/${var.environment}/${var.name}/${each.key}"
  description = "${each.key} of database ${var.name} (infragen connection by convention)"
  type        = "String"
  value       = each.value

  tags = local.tags
}
