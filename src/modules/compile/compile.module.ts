import { Module } from '@nestjs/common';
import { CompileController } from './compile.controller.js';
import { CompileService } from './compile.service.js';

@Module({ controllers: [CompileController], providers: [CompileService] })
export class CompileModule {}
