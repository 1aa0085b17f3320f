locals {
  major = split(".", var.engine_version)[0]
  # Query logging (checkov CKV2_AWS_30) and TLS only, for every member: cluster parameters.
  cluster_parameters = {
    log_statement              = "ddl"
    log_min_duration_statement = tostring(var.slow_query_ms)
    "rds.force_ssl"            = "1"
  }
}

resource "aws_db_subnet_group" "this" {
  name        = var.name
  description = "Subnets of the ${var.name} Aurora cluster"
  subnet_ids  = var.subnet_ids
  tags        = merge(var.tags, { Name = var.name })
}

resource "aws_rds_cluster_parameter_group" "this" {
  name_prefix = "${var.name}-"
  description = "Parameters of the ${var.name} Aurora cluster: query logging and TLS only"
  family      = "aurora-postgresql${local.major}"
  tags        = merge(var.tags, { Name = var.name })

  dynamic "parameter" {
    for_each = local.cluster_parameters
    content {
      name         = parameter.key
      value        = parameter.value
      apply_method = "pending-reboot"
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

# A per-cluster random suffix (terraform_data's id is a UUID drawn at create) for the final
# snapshot: a fixed <name>-final would make the second destroy of a cluster of the same name
# fail with DBClusterSnapshotAlreadyExistsFault.
resource "terraform_data" "final_snapshot_suffix" {
  input = var.name
}

resource "aws_rds_cluster" "this" {
  #checkov:skip=CKV_AWS_139:deletion protection is per environment: on by default here, and platform/aurora turns it off outside production so those clusters can be torn down (its tests assert both)
  #checkov:skip=CKV_AWS_327:storage uses the AWS-managed aws/rds KMS key unless kms_key_id is set; customer-managed keys are a per-account decision
  #checkov:skip=CKV2_AWS_27:query logging is on in the cluster parameter group (DDL and statements slower than slow_query_ms, from local.cluster_parameters, which the check does not resolve); logging every statement would write parameter values, personal data included, to CloudWatch
  #checkov:skip=CKV2_AWS_8:backups are RDS automated backups (backup_retention_days, at least 7) and a final snapshot in production; an AWS Backup plan is an account-level decision
  cluster_identifier = var.name
  engine             = "aurora-postgresql"
  engine_mode        = "provisioned"
  engine_version     = var.engine_version
  port               = 5432

  storage_encrypted = true
  kms_key_id        = var.kms_key_id

  master_username                     = var.master_username
  manage_master_user_password         = true
  master_user_secret_kms_key_id       = var.kms_key_id
  iam_database_authentication_enabled = true

  db_subnet_group_name            = aws_db_subnet_group.this.name
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.this.name
  vpc_security_group_ids          = var.vpc_security_group_ids

  backup_retention_period   = var.backup_retention_days
  copy_tags_to_snapshot     = true
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = var.skip_final_snapshot
  final_snapshot_identifier = var.skip_final_snapshot ? null : "${var.name}-final-${substr(terraform_data.final_snapshot_suffix.id, 0, 8)}"
  delete_automated_backups  = false

  allow_major_version_upgrade     = var.allow_major_version_upgrade
  apply_immediately               = var.apply_immediately
  enabled_cloudwatch_logs_exports = ["postgresql"]

  tags = merge(var.tags, { Name = var.name })
}

# The writer (<name>-1, promotion tier 0) and the Aurora Replicas (<name>-2...), all of one class.
resource "aws_rds_cluster_instance" "this" {
  #checkov:skip=CKV_AWS_118:enhanced monitoring needs an IAM role this module does not create; Performance Insights and the cluster's log exports are on
  #checkov:skip=CKV_AWS_354:Performance Insights uses the AWS-managed KMS key unless kms_key_id is set; customer-managed keys are a per-account decision
  #checkov:skip=CKV_AWS_226:engine_version pins a minor (16.4), so automatic minor upgrades are off: Terraform would try to downgrade after AWS upgraded (hashicorp/terraform-provider-aws#27240)
  count = var.instances

  identifier         = "${var.name}-${count.index + 1}"
  cluster_identifier = aws_rds_cluster.this.id
  engine             = aws_rds_cluster.this.engine
  engine_version     = aws_rds_cluster.this.engine_version
  instance_class     = var.instance_class
  promotion_tier     = count.index == 0 ? 0 : 1

  db_subnet_group_name  = aws_db_subnet_group.this.name
  publicly_accessible   = false
  ca_cert_identifier    = var.ca_cert_identifier
  copy_tags_to_snapshot = true
  # engine_version pins a minor (16.4): AWS must not upgrade it, or Terraform would try to
  # downgrade (hashicorp/terraform-provider-aws#27240, as in aws/rds)
  auto_minor_version_upgrade = false
  apply_immediately          = var.apply_immediately

  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.kms_key_id
  performance_insights_retention_period = 7

  tags = merge(var.tags, { Name = "${var.name}-${count.index + 1}" })
}
