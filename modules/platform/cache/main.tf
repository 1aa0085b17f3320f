locals {
  tags = merge(var.tags, tomap({
    owner       = var.owner
    service     = var.service
    environment = var.environment
    managed-by  = "infragen"
  }))
}

locals {
  port            = 6379
  num_cache_nodes = coalesce(var.num_cache_nodes, var.production ? 2 : 1)
}

# The cache's own group: admits only the -clients group, on the Redis port.
module "security_group" {
  source = "../../aws/security-group"

  name        = var.name
  description = "Cache ${var.name}: admits ${var.name}-clients on ${local.port}"
  vpc_id      = var.vpc_id
  tags        = local.tags

  ingress_rules = {
    clients = {
      description              = "redis from ${var.name}-clients"
      from_port                = local.port
      to_port                  = local.port
      source_security_group_id = module.client_security_group.id
    }
  }
}

# Joined by every service that depends on this cache: egress to the cache only.
module "client_security_group" {
  source = "../../aws/security-group"

  name        = "${var.name}-clients"
  description = "Clients of cache ${var.name}: egress to it on ${local.port}"
  vpc_id      = var.vpc_id
  tags        = local.tags

  egress_rules = {
    cache = {
      description                   = "redis to ${var.name}"
      from_port                     = local.port
      to_port                       = local.port
      destination_security_group_id = module.security_group.id
    }
  }
}

module "elasticache" {
  source = "../../aws/elasticache"

  name                    = var.name
  engine_version          = var.engine_version
  node_type               = var.node_type
  num_cache_nodes         = local.num_cache_nodes
  snapshot_retention_days = var.snapshot_retention_days
  port                    = local.port
  subnet_ids              = var.subnet_ids
  security_group_ids      = [module.security_group.id]
  tags                    = local.tags
}
