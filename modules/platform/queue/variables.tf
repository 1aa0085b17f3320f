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

# --- Queue inputs ---

variable "fifo" {
  type        = bool
  description = "FIFO queue (names get the .fifo suffix)."
  default     = false
}

variable "dead_letter_queue" {
  type        = bool
  description = "Create a dead-letter queue <name>-dlq with a redrive policy."
  default     = true
}

variable "max_receive_count" {
  type        = number
  description = "Receives before a message moves to the dead-letter queue (1-1000)."
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number between 1 and 1000."
  }
}

variable "visibility_timeout_seconds" {
  type        = number
  description = "Visibility timeout in seconds (0-43200)."
  default     = 30

  validation {
    condition     = var.visibility_timeout_seconds >= 0 && var.visibility_timeout_seconds <= 43200 && floor(var.visibility_timeout_seconds) == var.visibility_timeout_seconds
    error_message = "visibility_timeout_seconds must be a whole number between 0 and 43200."
  }
}

variable "message_retention_seconds" {
  type        = number
  description = "Message retention in seconds (60-1209600)."
  default     = 345600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600 && floor(var.message_retention_seconds) == var.message_retention_seconds
    error_message = "message_retention_seconds must be a whole number between 60 and 1209600 (14 days)."
  }
}
