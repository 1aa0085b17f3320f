locals {
  tags = merge(var.tags, tomap({
    owner       = var.owner
    service     = var.service
    environment = var.environment
    managed-by  = "infragen"
  }))
}

locals {
  # The node types and engine versions the platform supports; infragen validate reads the same file
  catalogue       = yamldecode(file("${path.module}/catalogue.yaml"))
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
  # A final snapshot in every environment: a staging cache's data is someone's test state too
  # (the snapshot is named <name>-final-<random>; delete it when it is no longer wanted).
  final_snapshot = true
  # Node type and engine version changes: now outside production, in the maintenance window in
  # production (where the plan shows the pending change until then; docs/design.md).
  apply_immediately = !var.production
  user_group_ids    = [aws_elasticache_user_group.this.user_group_id]
  tags              = local.tags
}

# RBAC with IAM authentication: a user per service that declares the cache (user id = user
# name = <cache>-<service>, as IAM authentication requires), each granted elasticache:Connect
# on exactly this group and its own user by that service's task role. No password exists, so
# none is in state. The group's mandatory "default" user is switched off.
resource "aws_elasticache_user" "default" {
  user_id       = "${var.name}-default"
  user_name     = "default"
  engine        = "redis"
  access_string = "off -@all"

  authentication_mode {
    type = "no-password-required"
  }

  tags = local.tags
}

# What a service's user may do, in Redis ACL syntax (ElastiCache RBAC access strings are Redis ACL
# rules: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html, which also says
# they may not name a command ElastiCache restricts or renames, nor use "reset" or a password; the
# restricted ones (CONFIG, DEBUG, SHUTDOWN, SAVE, ...) are listed on
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ClientConfig.RestrictedCommands.html, so
# they are refused here through their category only):
# - on: enabled; ~*: every key; &*: every pub/sub channel (Redis 7 gives a new user none, so without
#   it PUBLISH/SUBSCRIBE fail);
# - +@all -@dangerous: everything but the @dangerous category (FLUSHALL, FLUSHDB, KEYS, CONFIG,
#   DEBUG, SHUTDOWN, MONITOR, ACL SETUSER, CLIENT KILL/LIST, SWAPDB, SORT, REPLICAOF, MIGRATE, ...);
# - +info: INFO is @dangerous, but BullMQ, Sidekiq and others call it on connect.
# tests/test_redis_acl.py reads this string from this file and runs a table of client commands
# through it on a real Redis 7 server.
locals {
  service_access_string = "on ~* &* +@all -@dangerous +info"
}

resource "aws_elasticache_user" "service" {
  for_each = toset(var.iam_users)

  user_id       = "${var.name}-${each.key}"
  user_name     = "${var.name}-${each.key}"
  engine        = "redis"
  access_string = local.service_access_string

  authentication_mode {
    type = "iam"
  }

  tags = local.tags
}

resource "aws_elasticache_user_group" "this" {
  user_group_id = var.name
  engine        = "redis"
  user_ids      = concat([aws_elasticache_user.default.user_id], [for u in sort(var.iam_users) : aws_elasticache_user.service[u].user_id])

  tags = local.tags
}
