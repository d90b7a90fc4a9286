# Build the fat jar, then run it on a JRE. docker-compose.yml builds it once (its migrate service) and every
# node runs the same image; deploy/kubernetes/ runs it too.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src src
COPY webroot webroot
# The example application compiles with the tests (examples/cryptact), so test-compile needs its sources.
COPY examples/cryptact/src examples/cryptact/src
RUN mvn -q -B -DskipTests package

FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends wget && rm -rf /var/lib/apt/lists/*
# A numeric user that is not root, so Kubernetes' runAsNonRoot can check it, owning the one folder it writes:
# the data folder (mail files without SMTP; the embedded PostgreSQL when no TWOFA_DB_URL is set).
RUN groupadd --system --gid 10001 twofa \
  && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin twofa \
  && mkdir -p /app/data && chown 10001:10001 /app/data && chmod 0700 /app/data
WORKDIR /app
COPY --from=build /src/target/twofa.jar /app/twofa.jar
COPY webroot /app/webroot
ENV TWOFA_DATA_DIR=/app/data
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=60", "-jar", "/app/twofa.jar"]
