locals {
  failover = var.num_cache_nodes > 1
}

resource "aws_elasticache_subnet_group" "this" {
  name        = var.name
  description = "Subnets of the ${var.name} cache"
  subnet_ids  = var.subnet_ids
  tags        = merge(var.tags, { Name = var.name })
}

# A per-group random suffix (terraform_data's id is a UUID drawn at create): a fixed
# <name>-final fails the second destroy of a group of the same name (snapshot exists).
resource "terraform_data" "final_snapshot_suffix" {
  input = var.name
}

resource "aws_elasticache_replication_group" "this" {
  #checkov:skip=CKV_AWS_31:no AUTH token on purpose: Terraform would keep it in plaintext state; TLS is required, access is limited to the -clients security group, and platform/cache sets an RBAC user group with IAM-authenticated users (user_group_ids)
  #checkov:skip=CKV_AWS_191:at-rest encryption uses the AWS-managed key unless kms_key_id is set; customer-managed keys are a per-account decision
  replication_group_id = var.name
  description          = "Redis ${var.name}"
  engine               = "redis"
  engine_version       = var.engine_version
  node_type            = var.node_type
  port                 = var.port
  num_cache_clusters   = var.num_cache_nodes

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = var.security_group_ids
  user_group_ids     = length(var.user_group_ids) > 0 ? var.user_group_ids : null

  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_id
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"

  automatic_failover_enabled = local.failover
  multi_az_enabled           = local.failover

  snapshot_retention_limit   = var.snapshot_retention_days
  final_snapshot_identifier  = var.final_snapshot ? "${var.name}-final-${substr(terraform_data.final_snapshot_suffix.id, 0, 8)}" : null
  auto_minor_version_upgrade = true
  apply_immediately          = var.apply_immediately

  tags = merge(var.tags, { Name = var.name })
}
