variable "name" {
  type        = string
  description = "DB cluster identifier; also the subnet group name, the parameter group prefix, the final snapshot prefix and the members' prefix (<name>-1 is the writer)."

  # CreateDBCluster (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html):
  # 1-63 letters, digits or hyphens, a letter first, no hyphen last, no two hyphens in a row.
  # 3-40 here (the platform's datastore names), leaving room for the members' "-16".
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must match ^[a-z][a-z0-9-]{1,38}[a-z0-9]$ (3-40 characters, starts with a letter, ends with a letter or digit) and must not contain \"--\"."
  }
}

variable "engine_version" {
  type        = string
  description = "Aurora PostgreSQL version, MAJOR.MINOR (e.g. \"16.4\"); the cluster parameter group family is aurora-postgresql<MAJOR>."

  validation {
    condition     = can(regex("^[1-9][0-9]\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be MAJOR.MINOR, e.g. 16.4."
  }
}

variable "instance_class" {
  type        = string
  description = "Instance class of every member, e.g. db.r6g.large (provisioned; db.serverless is not supported)."

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "instance_class must look like db.<family>.<size>, e.g. db.r6g.large."
  }
}

variable "instances" {
  type        = number
  description = "Cluster members: the writer and instances - 1 Aurora Replicas (1-16: up to 15 replicas, https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Replication.html)."
  default     = 1

  validation {
    condition     = var.instances >= 1 && var.instances <= 16 && floor(var.instances) == var.instances
    error_message = "instances must be a whole number between 1 and 16 (a writer and up to 15 Aurora Replicas)."
  }
}

variable "backup_retention_days" {
  type        = number
  description = "Days automated backups are kept (7-35)."
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 35 && floor(var.backup_retention_days) == var.backup_retention_days
    error_message = "backup_retention_days must be a whole number between 7 and 35."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the cluster. Platform modules set it from production."
  default     = true
}

variable "skip_final_snapshot" {
  type        = bool
  description = "Delete without a final snapshot. When false a snapshot <name>-final-<random> is taken on delete."
  default     = false
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets for the DB subnet group (at least two, in different AZs)."

  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "subnet_ids must list at least two subnet IDs (subnet-<hex>)."
  }
}

variable "vpc_security_group_ids" {
  type        = list(string)
  description = "Security groups attached to the cluster."

  validation {
    condition     = length(var.vpc_security_group_ids) >= 1
    error_message = "vpc_security_group_ids must list at least one security group."
  }
}

variable "master_username" {
  type        = string
  description = "Master user name. Its password is generated and kept in Secrets Manager by RDS (manage_master_user_password)."
  default     = "dbadmin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,15}$", var.master_username)) && !contains(["admin", "postgres", "rdsadmin", "root", "user"], var.master_username)
    error_message = "master_username must match ^[a-z][a-z0-9_]{0,15}$ and must not be a reserved name (admin, postgres, rdsadmin, root, user)."
  }
}

variable "kms_key_id" {
  type        = string
  description = "ARN of a customer-managed KMS key for storage, Performance Insights and the master user secret. Null uses the AWS-managed keys."
  default     = null

  validation {
    condition     = var.kms_key_id == null || can(regex("^arn:aws[a-z-]*:kms:", coalesce(var.kms_key_id, "x")))
    error_message = "kms_key_id must be null or a KMS key ARN."
  }
}

variable "apply_immediately" {
  type        = bool
  description = "Apply modifications (instance class, engine version) now instead of in the next maintenance window."
  default     = false
}

variable "allow_major_version_upgrade" {
  type        = bool
  description = "Allow a change of engine_version to a new major version (the cluster parameter group family follows; a new group is created before the old one is removed)."
  default     = false
}

variable "ca_cert_identifier" {
  type        = string
  description = "Certificate authority for the members' server certificates."
  default     = "rds-ca-rsa2048-g1"

  validation {
    condition     = contains(["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"], var.ca_cert_identifier)
    error_message = "ca_cert_identifier must be one of rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1."
  }
}

variable "slow_query_ms" {
  type        = number
  description = "Statements slower than this many milliseconds are logged (log_min_duration_statement)."
  default     = 1000

  validation {
    condition     = var.slow_query_ms >= 0 && floor(var.slow_query_ms) == var.slow_query_ms
    error_message = "slow_query_ms must be a whole number >= 0."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource of the module."
  default     = {}
}
