variable "name" {
  type        = string
  description = "Table name."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must match ^[a-z][a-z0-9-]{1,38}[a-z0-9]$ (3-40 characters, starts with a letter, ends with a letter or digit) and must not contain \"--\"."
  }
}

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
  description = "Partition key type: S (string), N (number) or B (binary)."
  default     = "S"

  validation {
    condition     = contains(["S", "N", "B"], var.hash_key_type)
    error_message = "hash_key_type must be S, N or B."
  }
}

variable "range_key" {
  type        = string
  description = "Sort key attribute name, or null for a table without sort key."
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

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the table."
  default     = true
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of a customer-managed KMS key. Null uses the AWS-managed key (aws/dynamodb)."
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", coalesce(var.kms_key_arn, "x")))
    error_message = "kms_key_arn must be null or a KMS key ARN."
  }
}

variable "ttl_attribute" {
  type        = string
  description = "Attribute holding an expiry epoch for DynamoDB TTL, or null to disable TTL."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags for the table."
  default     = {}
}

variable "allow_replacement" {
  type        = bool
  description = "Allow a plan that replaces the table (a key change), deleting its items. false: such a plan fails."
  default     = false
}
