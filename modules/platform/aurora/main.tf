locals {
  tags = merge(var.tags, tomap({
    owner       = var.owner
    service     = var.service
    environment = var.environment
    managed-by  = "infragen"
  }))
}

locals {
  port      = 5432
  instances = coalesce(var.instances, var.production ? 2 : 1)
  # Outside production modifications apply now; in production they wait for the maintenance
  # window (docs/design.md, "When RDS changes apply"), as platform/database does.
  apply_immediately = !var.production
}

# The cluster's own group admits only <name>-clients, on 5432; dependents join <name>-clients,
# whose only egress is to the cluster.
module "client_access" {
  source = "../../aws/client-access"

  name               = var.name
  description        = "Aurora cluster ${var.name}: admits ${var.name}-clients"
  client_description = "Clients of Aurora cluster ${var.name}: egress to it"
  rule_label         = "postgres"
  port               = local.port
  vpc_id             = var.vpc_id
  tags               = local.tags

  # The Atlantis server's group, when the account names one: its apply step makes the users.
  extra_ingress_rules = var.admin_security_group_id == null ? {} : {
    atlantis = {
      description              = "postgres from the Atlantis server (database users)"
      source_security_group_id = var.admin_security_group_id
    }
  }
}

module "cluster" {
  source = "../../aws/rds-cluster"

  name                  = var.name
  engine_version        = var.engine_version
  instance_class        = var.instance_class
  instances             = local.instances
  backup_retention_days = var.backup_retention_days
  deletion_protection   = var.production
  skip_final_snapshot   = !var.production
  # A spec that moves engineVersion to a new major asks for the upgrade (the cluster parameter
  # group of the new family is created first).
  allow_major_version_upgrade = true
  apply_immediately           = local.apply_immediately
  subnet_ids                  = var.subnet_ids
  vpc_security_group_ids      = [module.client_access.security_group_id]
  tags                        = local.tags
}
