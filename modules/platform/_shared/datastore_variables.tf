# Common inputs of every platform datastore module (docs/design.md).
# database, cache, queue, table and bucket link to this one file: change it here, once.

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
