variable "zone_id" {
  type        = string
  description = "ID of the hosted zone the record belongs to."

  validation {
    condition     = can(regex("^Z[A-Z0-9]{1,31}$", var.zone_id))
    error_message = "zone_id must be a Route 53 hosted zone ID: Z followed by upper case letters and digits."
  }
}

variable "name" {
  type        = string
  description = "Fully qualified record name, e.g. orders-internal.prod.example.com (no trailing dot, lower case)."

  validation {
    condition     = length(var.name) <= 253 && can(regex("^(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", var.name))
    error_message = "name must be a lower-case fully qualified DNS name of at most 253 characters without trailing dot (labels of 1-63 letters, digits, hyphens; an optional leading *.)."
  }
}

variable "type" {
  type        = string
  description = "Record type: A, AAAA, CNAME, TXT, MX, SRV, NS or CAA. Alias records must be A or AAAA."
  default     = "A"

  validation {
    condition     = contains(["A", "AAAA", "CNAME", "TXT", "MX", "SRV", "NS", "CAA"], var.type)
    error_message = "type must be one of A, AAAA, CNAME, TXT, MX, SRV, NS, CAA."
  }
}

variable "ttl_seconds" {
  type        = number
  description = "TTL of a non-alias record in seconds (0-172800). Ignored for alias records."
  default     = 300

  validation {
    condition     = var.ttl_seconds >= 0 && var.ttl_seconds <= 172800 && floor(var.ttl_seconds) == var.ttl_seconds
    error_message = "ttl_seconds must be a whole number between 0 and 172800."
  }
}

variable "records" {
  type        = list(string)
  description = "Record values for a non-alias record. Set exactly one of records or alias."
  default     = null

  validation {
    condition     = var.records == null || try(length(var.records) > 0, false)
    error_message = "records must be null or a non-empty list."
  }
}

variable "alias" {
  type = object({
    name                   = string
    zone_id                = string
    evaluate_target_health = optional(bool, true)
  })
  description = "Alias target (e.g. a load balancer's dns_name and zone_id). Set exactly one of records or alias."
  default     = null
}

variable "allow_overwrite" {
  type        = bool
  description = "Take over a record that already exists outside Terraform."
  default     = false
}
