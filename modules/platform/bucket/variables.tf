# --- Bucket inputs ---

variable "bucket_name" {
  type        = string
  description = "Globally unique bucket name, <name>-<account id>."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.bucket_name)) && !strcontains(var.bucket_name, "--")
    error_message = "bucket_name must match ^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$ and must not contain \"--\"."
  }
}

variable "versioning" {
  type        = bool
  description = "Keep object versions."
  default     = true
}

variable "expiration_days" {
  type        = number
  description = "Expire objects after this many days; null keeps them."
  default     = null

  validation {
    condition     = var.expiration_days == null || try(var.expiration_days >= 1 && floor(var.expiration_days) == var.expiration_days, false)
    error_message = "expiration_days must be null or a whole number >= 1."
  }
}
