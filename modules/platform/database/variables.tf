# --- Common inputs of every platform module (docs/design.md) ---

variable "name" {
  type        = string
  description = "Resource name from the service spec, DNS-safe, used as name prefix. Must start with \"<service>-\"."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must match ^[a-z][a-z0-9-]{1,38}[a-z0-9]$ (3-40 characters, starts with a letter, ends with a letter or digit) and must not contain \"--\"."
  }
}

variable "service" {
  type        = string
  description = "Name of the owning service."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.service)) && !strcontains(var.service, "--")
    error_message = "service must match ^[a-z][a-z0-9-]{0,30}[a-z0-9]$ (2-32 characters) and must not contain \"--\"."
  }
}

variable "owner" {
  type        = string
  description = "Owning team (teams.yaml key)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}$", var.owner))
    error_message = "owner must match ^[a-z][a-z0-9-]{0,62}$."
  }
}

variable "environment" {
  type        = string
  description = "Environment (account) name."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.environment))
    error_message = "environment must match ^[a-z][a-z0-9-]{0,30}$."
  }
}

variable "production" {
  type        = bool
  description = "Production account: turns on deletion protection, final snapshots and Multi-AZ defaults."
}

variable "vpc_id" {
  type        = string
  description = "VPC for the security groups."

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-<hex>."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets."

  validation {
    condition     = alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "subnet_ids must contain subnet IDs (subnet-<hex>)."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags. The module adds owner, service, environment and managed-by = infragen, which take precedence."
  default     = {}
}

# --- Database inputs ---

variable "engine" {
  type        = string
  description = "Database engine: \"postgres\" or \"mysql\"."

  validation {
    condition     = contains(["postgres", "mysql"], var.engine)
    error_message = "engine must be \"postgres\" or \"mysql\"."
  }
}

variable "engine_version" {
  type        = string
  description = "Engine version, e.g. \"16.4\" or \"8.0.39\"."

  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]+){0,2}$", var.engine_version))
    error_message = "engine_version must be digits separated by dots, e.g. 16.4 or 8.0.39."
  }
}

variable "instance_class" {
  type        = string
  description = "DB instance class, e.g. db.t4g.medium."

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "instance_class must look like db.<family>.<size>, e.g. db.t4g.medium."
  }
}

variable "storage_gb" {
  type        = number
  description = "Allocated storage in GiB (20-65536)."

  validation {
    condition     = var.storage_gb >= 20 && var.storage_gb <= 65536 && floor(var.storage_gb) == var.storage_gb
    error_message = "storage_gb must be a whole number between 20 and 65536."
  }
}

variable "multi_az" {
  type        = bool
  description = "Run a standby in a second AZ. Null follows production (Multi-AZ in production only)."
  default     = null
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
