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

# The cache's own group admits only <name>-clients, on the Redis port; dependents join
# <name>-clients, whose only egress is to the cache.
module "client_access" {
  source = "../../aws/client-access"

  name               = var.name
  description        = "Cache ${var.name}: admits ${var.name}-clients"
  client_description = "Clients of cache ${var.name}: egress to it"
  rule_label         = "redis"
  port               = local.port
  vpc_id             = var.vpc_id
  tags               = local.tags
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
  security_group_ids      = [module.client_access.security_group_id]
  tags                    = local.tags
}
