# Read replicas (issue 20): var.read_replicas instances <name>-replica-1, -2, ... replicating
# aws_db_instance.this in the same region. A replica takes the engine, version, storage, master
# user and encryption key from its source (RDS copies them; the provider refuses most of them
# on a replica), so only what can differ is set here. It sits in the source's subnets, behind the
# source's security groups (the <name> group that admits only <name>-clients), with the same
# parameter group, IAM authentication, TLS and logging. RDS allows up to 15 replicas of an
# instance (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html); the
# platform caps them at 5 (each is a paid instance of the source's class).
resource "aws_db_instance" "replica" {
  #checkov:skip=CKV_AWS_118:enhanced monitoring needs an IAM role this module does not create; callers set monitoring_interval_seconds and monitoring_role_arn, as for the source
  #checkov:skip=CKV_AWS_354:Performance Insights uses the AWS-managed KMS key unless kms_key_id is set, as for the source
  #checkov:skip=CKV_AWS_157:a replica is the read scale-out, not the standby: the source has Multi-AZ in production
  #checkov:skip=CKV_AWS_133:backups are taken of the source; a replica is rebuilt from it
  #checkov:skip=CKV_AWS_293:deletion protection follows the source (off outside production, where instances are torn down)
  count = var.read_replicas

  identifier          = "${var.name}-replica-${count.index + 1}"
  replicate_source_db = aws_db_instance.this.identifier
  instance_class      = var.instance_class
  port                = local.port

  max_allocated_storage = var.max_storage_gb
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_id

  iam_database_authentication_enabled = true
  parameter_group_name                = aws_db_parameter_group.this.name
  vpc_security_group_ids              = var.vpc_security_group_ids
  publicly_accessible                 = false
  multi_az                            = false
  ca_cert_identifier                  = var.ca_cert_identifier

  backup_retention_period = 0
  copy_tags_to_snapshot   = true
  deletion_protection     = var.deletion_protection
  skip_final_snapshot     = true

  auto_minor_version_upgrade = local.auto_minor_version_upgrade
  apply_immediately          = var.apply_immediately

  enabled_cloudwatch_logs_exports       = local.log_exports[var.engine]
  performance_insights_enabled          = local.performance_insights_enabled
  performance_insights_kms_key_id       = local.performance_insights_enabled ? var.kms_key_id : null
  performance_insights_retention_period = local.performance_insights_enabled ? 7 : null
  monitoring_interval                   = var.monitoring_interval_seconds
  monitoring_role_arn                   = var.monitoring_interval_seconds > 0 ? var.monitoring_role_arn : null

  tags = merge(var.tags, { Name = "${var.name}-replica-${count.index + 1}", replica-of = var.name })
}
