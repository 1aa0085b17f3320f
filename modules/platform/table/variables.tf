# --- Table inputs ---

variable "hash_key" {
  type        = string
  description = "Partition key attribute name."

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,255}$", var.hash_key))
    error_message = "hash_key must be 1-255 characters of letters, digits, _ . -."
  }
}

variable "hash_key_type" {
  type        = string
  description = "Partition key type: S, N or B."
  default     = "S"

  validation {
    condition     = contains(["S", "N", "B"], var.hash_key_type)
    error_message = "hash_key_type must be S, N or B."
  }
}

variable "range_key" {
  type        = string
  description = "Sort key attribute name, or null."
  default     = null

  validation {
    condition     = var.range_key == null || can(regex("^[A-Za-z0-9_.-]{1,255}$", coalesce(var.range_key, "x")))
    error_message = "range_key must be null or 1-255 characters of letters, digits, _ . -."
  }
}

variable "range_key_type" {
  type        = string
  description = "Sort key type: S, N or B. Ignored when range_key is null."
  default     = "S"

  validation {
    condition     = contains(["S", "N", "B"], var.range_key_type)
    error_message = "range_key_type must be S, N or B."
  }
}

variable "allow_replacement" {
  type        = bool
  description = "Allow a plan that replaces the table (a key change), deleting its items. false (the generated roots): such a plan fails."
  default     = false
}
