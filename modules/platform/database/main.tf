locals {
  tags = merge(var.tags, tomap({
    owner       = var.owner
    service     = var.service
    environment = var.environment
    managed-by  = "infragen"
  }))
}

locals {
  port     = var.engine == "postgres" ? 5432 : 3306
  multi_az = coalesce(var.multi_az, var.production)
  # Outside production modifications apply now: an instance class or engine version change is
  # done in that apply and the next plan is empty. In production they wait for the maintenance
  # window (no restart in business hours), and until then every plan shows the pending change
  # (docs/design.md, "RDS versions").
  apply_immediately = coalesce(var.apply_immediately, !var.production)
  # Storage autoscaling (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html):
  # null: up to twice the storage, at least 100 GiB, at most 65536; 0: off.
  max_storage_gb = (
    var.max_storage_gb == null ? min(65536, max(100, 2 * var.storage_gb)) :
    var.max_storage_gb == 0 ? null : var.max_storage_gb
  )
}

# The database's own group admits only <name>-clients, on the database port; dependents join
# <name>-clients, whose only egress is to the database.
module "client_access" {
  source = "../../aws/client-access"

  name               = var.name
  description        = "Database ${var.name}: admits ${var.name}-clients"
  client_description = "Clients of database ${var.name}: egress to it"
  rule_label         = var.engine
  port               = local.port
  vpc_id             = var.vpc_id
  tags               = local.tags

  # The Atlantis server's group, when the account names one: its apply step makes the users.
  extra_ingress_rules = var.admin_security_group_id == null ? {} : {
    atlantis = {
      description              = "${var.engine} from the Atlantis server (database users)"
      source_security_group_id = var.admin_security_group_id
    }
  }
}

module "rds" {
  source = "../../aws/rds"

  name                  = var.name
  engine                = var.engine
  engine_version        = var.engine_version
  instance_class        = var.instance_class
  storage_gb            = var.storage_gb
  max_storage_gb        = local.max_storage_gb
  port                  = local.port
  multi_az              = local.multi_az
  backup_retention_days = var.backup_retention_days
  backup_window         = var.backup_window
  maintenance_window    = var.maintenance_window
  deletion_protection   = var.production
  skip_final_snapshot   = !var.production
  # A spec that moves engineVersion to a new major asks for the upgrade (in the maintenance
  # window; the parameter group of the new family is created first).
  allow_major_version_upgrade  = true
  apply_immediately            = local.apply_immediately
  performance_insights_enabled = var.performance_insights
  read_replicas                = var.read_replicas
  subnet_ids                   = var.subnet_ids
  vpc_security_group_ids       = [module.client_access.security_group_id]
  tags                         = local.tags
}
