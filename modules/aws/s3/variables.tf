variable "bucket_name" {
  type        = string
  description = "Globally unique bucket name: 3-63 lower case letters, digits and single hyphens (no dots, so TLS virtual-host addressing works)."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.bucket_name)) && !strcontains(var.bucket_name, "--") && !startswith(var.bucket_name, "xn-") && !endswith(var.bucket_name, "-s3alias")
    error_message = "bucket_name must match ^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$, must not contain \"--\", must not start with xn- and must not end with -s3alias."
  }
}

variable "versioning" {
  type        = bool
  description = "Keep object versions. When false, versioning is suspended (it cannot be removed once enabled)."
  default     = true
}

variable "expiration_days" {
  type        = number
  description = "Expire current objects after this many days; null keeps them. Noncurrent versions expire after the same number of days, or after 90 days when null."
  default     = null

  validation {
    condition     = var.expiration_days == null || try(var.expiration_days >= 1 && floor(var.expiration_days) == var.expiration_days, false)
    error_message = "expiration_days must be null or a whole number >= 1."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of a customer-managed KMS key for SSE-KMS. Null uses SSE-S3 (AES256)."
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", coalesce(var.kms_key_arn, "x")))
    error_message = "kms_key_arn must be null or a KMS key ARN."
  }
}

variable "access_log_bucket" {
  type        = string
  description = "Bucket receiving server access logs (prefix <bucket_name>/). Null disables access logging."
  default     = null
}

variable "force_destroy" {
  type        = bool
  description = "Allow deleting a non-empty bucket. Leave false outside tests."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags for the bucket."
  default     = {}
}
