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
}

# The database's own group: admits only the -clients group, on the database port.
module "security_group" {
  source = "../../aws/security-group"

  name        = var.name
  description = "Database ${var.name}: admits ${var.name}-clients on ${local.port}"
  vpc_id      = var.vpc_id
  tags        = local.tags

  ingress_rules = {
    clients = {
      description              = "${var.engine} from ${var.name}-clients"
      from_port                = local.port
      to_port                  = local.port
      source_security_group_id = module.client_security_group.id
    }
  }
}

# Joined by every service that depends on this database: egress to the database only.
module "client_security_group" {
  source = "../../aws/security-group"

  name        = "${var.name}-clients"
  description = "Clients of database ${var.name}: egress to it on ${local.port}"
  vpc_id      = var.vpc_id
  tags        = local.tags

  egress_rules = {
    database = {
      description                   = "${var.engine} to ${var.name}"
      from_port                     = local.port
      to_port                       = local.port
      destination_security_group_id = module.security_group.id
    }
  }
}

module "rds" {
  source = "../../aws/rds"

  name                   = var.name
  engine                 = var.engine
  engine_version         = var.engine_version
  instance_class         = var.instance_class
  storage_gb             = var.storage_gb
  port                   = local.port
  multi_az               = local.multi_az
  backup_retention_days  = var.backup_retention_days
  deletion_protection    = var.production
  skip_final_snapshot    = !var.production
  subnet_ids             = var.subnet_ids
  vpc_security_group_ids = [module.security_group.id]
  tags                   = local.tags
}
