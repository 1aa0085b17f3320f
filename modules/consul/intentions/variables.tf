variable "destination" {
  description = "Destination service of the intentions: the service being called."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.destination))
    error_message = "destination must match ^[a-z][a-z0-9-]{1,30}[a-z0-9]$ (a service name; no wildcard)."
  }
}

variable "allowed_sources" {
  description = "Services allowed to call the destination. Every other source is denied."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.allowed_sources : can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", s))])
    error_message = "allowed_sources must be service names matching ^[a-z][a-z0-9-]{1,30}[a-z0-9]$; the wildcard \"*\" is not allowed."
  }

  validation {
    condition     = length(distinct(var.allowed_sources)) == length(var.allowed_sources)
    error_message = "allowed_sources must not contain duplicates."
  }
}

variable "description" {
  description = "Description recorded on each intention source."
  type        = string
  default     = "Managed by infragen"

  validation {
    condition     = length(var.description) <= 512
    error_message = "description must be at most 512 characters."
  }
}

variable "meta" {
  description = "Metadata of the service-intentions config entry (for example owner, environment)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.meta) : can(regex("^[A-Za-z0-9_-]{1,128}$", k))])
    error_message = "meta keys must be 1-128 letters, digits, hyphens or underscores."
  }
}
