variable "name" {
  description = "Consul node name of the external endpoint (the datastore's resource name)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must match ^[a-z][a-z0-9-]{1,38}[a-z0-9]$ (a service or datastore resource name): 3 to 40 characters, lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "address" {
  description = "Address of the external endpoint: a DNS name (for example an RDS endpoint address) or an IPv4 address."
  type        = string

  validation {
    condition     = length(var.address) <= 253 && can(regex("^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$", var.address))
    error_message = "address must be a DNS name or IPv4 address of at most 253 characters (letters, digits, dots and hyphens)."
  }
}

variable "datacenter" {
  description = "Consul datacenter to register in; null uses the provider's datacenter."
  type        = string
  default     = null

  validation {
    condition     = var.datacenter == null || can(regex("^[a-z0-9][a-z0-9_-]{0,63}$", var.datacenter))
    error_message = "datacenter must be null or 1-64 lower-case letters, digits, hyphens and underscores."
  }
}

variable "meta" {
  description = "Extra node metadata (for example owner, service, environment). The module always sets external-node and external-probe to \"true\"."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(var.meta) <= 62 && alltrue([for k in keys(var.meta) : can(regex("^[A-Za-z0-9_-]{1,128}$", k)) && !startswith(k, "consul-")])
    error_message = "meta may hold at most 62 entries (Consul allows 64, two are reserved here); keys must be 1-128 letters, digits, hyphens or underscores and must not start with \"consul-\"."
  }

  validation {
    condition     = alltrue([for v in values(var.meta) : length(v) <= 512])
    error_message = "meta values must be at most 512 characters."
  }
}
