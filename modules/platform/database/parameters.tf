# Connection by convention (docs/deploying.md): the values a client of this database needs, as SSM
# parameters under /infragen/<environment>/<name>/<key>. The task definition that infragen
# compiles reads them with valueFrom, so `infragen compile` needs no value that exists only
# after apply. They are not secrets (no password: clients use IAM authentication).
locals {
  # The user is not here: each connecting service authenticates with IAM as the database user
  # named like itself (rds-db:connect), which infragen puts into its environment directly.
  # database: postgres connects to the default database (the tables live in the owner's schema,
  # first on every user's search_path); mysql to the database named like the owner service.
  # Both are made by `infragen datastore users` (docs/deploying.md, "Database users").
  connection_parameters = {
    host     = module.rds.address
    port     = tostring(module.rds.port)
    database = var.engine == "postgres" ? "postgres" : var.service
    # Reads that may lag: the first read replica, and every replica comma-separated; without
    # replicas the instance itself, so a client reads the same keys in every environment.
    reader_host  = try(module.rds.replica_addresses[0], module.rds.address)
    reader_hosts = join(",", length(module.rds.replica_addresses) > 0 ? module.rds.replica_addresses : [module.rds.address])
  }
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
