variable "VERSION" {
  default = ""
}

group "default" {
  targets = ["api", "cli"]
}

target "api" {
  context    = "."
  dockerfile = "Dockerfile"
  args = {
    VERSION = "${VERSION == "" ? "dev" : VERSION}"
  }
  tags = [
    "registry.example.com/api:${VERSION == "" ? "dev" : VERSION}",
    "registry.example.com/api:latest",
  ]
  cache-from = ["type=registry,ref=registry.example.com/api:buildcache"]
  cache-to   = ["type=registry,ref=registry.example.com/api:buildcache,mode=max"]
  platforms  = ["linux/amd64", "linux/arm64"]
  attest     = ["type=provenance,disabled=true"]
}

target "cli" {
  context    = "."
  dockerfile = "Dockerfile"
  tags       = ["multi-platform-cli"]
  target     = "cli"
  platforms  = ["linux/arm64"]
  shm-size   = "268435456"
  ulimits    = ["nofile=1024:4096", "nproc=512"]
  extra-hosts = {
    "packages.internal" = "10.0.0.5"
  }
}
