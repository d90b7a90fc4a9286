# Build the fat jar, then run it on a JRE. Used by docker-compose.yml.
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
RUN useradd --system --home /app twofa
WORKDIR /app
COPY --from=build /src/target/twofa.jar /app/twofa.jar
COPY webroot /app/webroot
USER twofa
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=60", "-jar", "/app/twofa.jar"]
