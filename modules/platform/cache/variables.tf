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

# --- Cache inputs ---

variable "engine_version" {
  type        = string
  description = "Redis engine version, e.g. \"7.1\"."
  default     = "7.1"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9x]+(\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must look like 7.1, 6.x or 6.2.6."
  }
}

variable "node_type" {
  type        = string
  description = "Cache node type, e.g. cache.t4g.small."

  validation {
    condition     = can(regex("^cache\\.[a-z0-9]+\\.[a-z0-9]+$", var.node_type))
    error_message = "node_type must look like cache.<family>.<size>, e.g. cache.t4g.small."
  }
}

variable "num_cache_nodes" {
  type        = number
  description = "Number of nodes, 1-6; automatic failover and Multi-AZ when greater than 1. Null means 2 in production and 1 elsewhere."
  default     = null

  validation {
    condition     = var.num_cache_nodes == null || try(var.num_cache_nodes >= 1 && var.num_cache_nodes <= 6 && floor(var.num_cache_nodes) == var.num_cache_nodes, false)
    error_message = "num_cache_nodes must be null or a whole number between 1 and 6."
  }
}

variable "snapshot_retention_days" {
  type        = number
  description = "Days automatic snapshots are kept (1-35)."
  default     = 7

  validation {
    condition     = var.snapshot_retention_days >= 1 && var.snapshot_retention_days <= 35 && floor(var.snapshot_retention_days) == var.snapshot_retention_days
    error_message = "snapshot_retention_days must be a whole number between 1 and 35."
  }
}
