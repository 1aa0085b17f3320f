variable "name" {
  description = "Consul service name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must match ^[a-z][a-z0-9-]{1,38}[a-z0-9]$ (a service or datastore resource name): 3 to 40 characters, lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "node" {
  description = "Name of the Consul node the service is registered on (it must exist, for example from modules/consul/node)."
  type        = string

  validation {
    condition     = length(var.node) > 0 && length(var.node) <= 128
    error_message = "node must be a non-empty node name of at most 128 characters."
  }
}

variable "address" {
  description = "Address of the service: a DNS name or IPv4 address; null uses the node's address."
  type        = string
  default     = null

  validation {
    condition     = var.address == null || (length(coalesce(var.address, "x")) <= 253 && can(regex("^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$", coalesce(var.address, "x"))))
    error_message = "address must be null or a DNS name or IPv4 address of at most 253 characters."
  }
}

variable "port" {
  description = "Port of the service (1-65535)."
  type        = number

  validation {
    condition     = var.port >= 1 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "port must be a whole number between 1 and 65535."
  }
}

variable "tags" {
  description = "Consul service tags (for example the datastore type)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for t in var.tags : can(regex("^[A-Za-z0-9][A-Za-z0-9._:=-]{0,127}$", t))]) && length(distinct(var.tags)) == length(var.tags)
    error_message = "tags must be distinct, 1-128 characters of letters, digits and ._:=- each, starting with a letter or digit."
  }
}

variable "meta" {
  description = "Service metadata (for example owner, environment)."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(var.meta) <= 63 && alltrue([for k in keys(var.meta) : can(regex("^[A-Za-z0-9_-]{1,128}$", k)) && !startswith(k, "consul-") && k != "external-source"])
    error_message = "meta may hold at most 63 entries; keys must be 1-128 letters, digits, hyphens or underscores, must not start with \"consul-\" and must not be external-source (set by the provider)."
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

variable "tcp_check" {
  description = "Register a TCP check on address:port, run by consul-esm for external nodes."
  type        = bool
  default     = true
}

variable "check_interval" {
  description = "Interval of the TCP check, a Consul duration such as 10s."
  type        = string
  default     = "10s"

  validation {
    condition     = can(regex("^[0-9]+(ms|s|m)$", var.check_interval))
    error_message = "check_interval must be a duration like 10s."
  }
}
